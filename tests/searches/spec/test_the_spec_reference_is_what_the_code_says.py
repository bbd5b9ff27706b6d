"""docs/spec-reference.md is generated from the spec's own definitions: it cannot say what the
parser does not do, and a setting added without its line fails here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from searches.spec import reference
from searches.spec.presets import PRESETS
from searches.spec.search import parse_spec

ROOT = Path(__file__).resolve().parents[3]


def test_the_page_holds_the_tables_the_code_gives_today():
    page = reference.PAGE.read_text()
    assert reference.page_with_reference(page) == page, (
        "docs/spec-reference.md is out of date: run .venv/bin/python -m searches.spec.reference --write"
    )


def _normal_forms():
    for path in sorted((ROOT / "examples").glob("*.json")):
        yield path.name, json.loads(path.read_text())
    yield from PRESETS.items()


@pytest.mark.parametrize(
    ("where", "raw"), list(_normal_forms()), ids=lambda value: value if isinstance(value, str) else ""
)
def test_every_key_of_a_spec_s_normal_form_is_documented(where, raw):
    normal = parse_spec(raw).to_dict()
    documented = reference.documented_keys()
    assert set(normal) <= documented[""], f"{where}: top-level keys without a line"
    for section in ("ga", "training", "final", "fitness"):
        assert set(normal[section]) <= documented[section], f"{where}: {section} keys without a line"
    stopping = normal["training"]["early_stopping"]
    if stopping:
        assert set(stopping) <= documented["training.early_stopping"]


def test_every_trait_type_the_parser_takes_has_a_row():
    rows = {kind for kind, _, _ in reference.trait_rows()}
    assert rows == {"bool", "int", "float", "geometric_float", "geometric_int", "choice"}
    for kind in rows:
        spec = {"name": "x", "type": kind}
        spec.update({"choice": {"choices": [1, 2]}, "bool": {}}.get(kind, {"low": 1, "high": 4}))
        parse_spec({"name": "n", "traits": [spec]})  # each documented type is one the parser takes


def test_a_setting_without_its_line_cannot_be_documented():
    @dataclass(frozen=True)
    class Section:
        documented: int = field(default=1, metadata={"doc": "Has its line."})
        forgotten: int = 2

    with pytest.raises(LookupError, match=r"Section\.forgotten has no metadata"):
        reference.section_rows(Section)


def test_a_section_s_row_gives_its_json_type_default_and_allowed_values():
    rows = {name: row for name, *row in reference.section_rows(reference.BreedingPolicy)}
    kind, default, doc = rows["mode"]
    assert kind == "string" and default == '`"generational"`'
    assert doc.endswith("One of: `generational`, `steady_state`.")
    assert rows["seed_genomes"][:2] == ["list", "`[]`"]
