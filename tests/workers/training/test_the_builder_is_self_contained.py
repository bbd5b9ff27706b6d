"""``best.py`` carries the network builder and the quiet Keras import whole, as text: so both
import Keras and the standard library only, and neither has a ``from __future__`` line (which
may only open a file). The script then holds each file exactly, with no line of it rewritten."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from searches.exports.best_py import BUILDER_SOURCE, QUIET_SOURCE, network_script

CARRIED = [BUILDER_SOURCE, QUIET_SOURCE]


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CARRIED, ids=lambda path: path.name)
def test_it_imports_keras_and_the_standard_library_only(path):
    outside = {name for name in _imported(path) if name not in sys.stdlib_module_names} - {"keras", "tensorflow"}
    assert not outside, f"{path.name} imports {sorted(outside)}: best.py carries it whole, so it cannot"


@pytest.mark.parametrize("path", CARRIED, ids=lambda path: path.name)
def test_it_has_no_future_import(path):
    assert "__future__" not in _imported(path)


def test_best_py_holds_both_files_unchanged_and_compiles():
    script = network_script({"dense1_units": 96}, (8, 8, 1), 10, {"dataset": "digits"})
    for path in CARRIED:
        assert path.read_text() in script
    compile(script, "best.py", "exec")
    assert '"dense1_units": 96' in script and '"conv1_filters": 64' in script  # the genome, completed
