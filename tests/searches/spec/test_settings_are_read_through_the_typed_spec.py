"""A search's settings are read through its typed spec (``search.settings``, ``request.settings``),
never by indexing the stored JSON: one parser, one default per setting, and a rename found by the
type checker rather than by a user. Only the spec package reads the raw dict."""

from __future__ import annotations

import re
from pathlib import Path

from searches.models import Search
from searches.spec.presets import preset
from searches.spec.search import SearchSpec, parse_spec

ROOT = Path(__file__).resolve().parents[3]
RAW = re.compile(r"\.spec(\[|\.get\()")


def test_no_module_outside_the_spec_package_indexes_a_raw_spec():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for package in ("searches", "workers", "gaweb")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "searches/spec/" not in path.as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RAW.search(line)
    ]
    assert not found, "read these through .settings instead:\n" + "\n".join(found)


def test_a_stored_spec_reads_back_as_the_spec_that_was_validated():
    parsed = parse_spec(preset("cifar10-wide"))
    assert SearchSpec.from_stored(parsed.to_dict()) == parsed


def test_a_spec_stored_before_a_setting_existed_takes_its_default():
    stored = parse_spec(preset("synthetic")).to_dict()
    del stored["final"], stored["baseline"], stored["training"]["max_consecutive_failures"]
    search = Search(spec=stored)
    assert search.max_consecutive_failures == 5 and not search.has_baseline
    assert search.settings.final_epochs == search.settings.training.epochs
