"""The spec reference: every key of a search spec, its type, default, allowed values and what it
does, as Markdown tables, read from the spec's own definitions.

The sections' dataclasses carry each field's line (``field(metadata={"doc": ...})``) beside its
default; the top-level keys and the ``fitness`` section carry theirs in ``TOP_LEVEL_DOCS`` and
``FITNESS_DOCS``, the trait types in their classes' docstrings. The documentation site builds its
"Spec reference" page (``docs/spec-reference.md``) holds these tables between two markers; a test
fails when they differ from what the code says, and ``python -m searches.spec.reference --write``
writes them again. A key added without its line fails that command and the tests.
"""

from __future__ import annotations

import inspect
import json
import sys
from dataclasses import MISSING, Field, fields
from pathlib import Path

from searches.genetics import TRAIT_TYPES, BreedingPolicy, StoppingRule
from searches.spec.checks import FITNESS_DOCS
from searches.spec.search import TOP_LEVEL_DOCS
from searches.spec.training import FinalSettings, TrainingSettings

# The spec's sections that are dataclasses: their key in the spec, and their class.
SECTIONS: tuple[tuple[str, type], ...] = (
    ("ga", BreedingPolicy),
    ("training", TrainingSettings),
    ("training.early_stopping", StoppingRule),
    ("final", FinalSettings),
)
# A field's annotation, as JSON names its values.
_JSON_TYPES = {"int": "integer", "float": "number", "str": "string", "bool": "boolean", "None": "null"}


def _json_type(annotation: str) -> str:
    kinds = []
    for part in (piece.strip() for piece in annotation.split("|")):
        base = part.split("[")[0]
        kinds.append(_JSON_TYPES.get(base, "object" if base == "dict" else "list" if base == "tuple" else base))
    return " or ".join(kinds)


def _default(spec_field: Field) -> str:
    if spec_field.default is not MISSING:
        value = spec_field.default
    elif spec_field.default_factory is not MISSING:
        value = spec_field.default_factory()
    else:
        return "required"
    return f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _doc(owner: str, spec_field: Field) -> str:
    doc = spec_field.metadata.get("doc")
    if not doc:
        raise LookupError(f"{owner}.{spec_field.name} has no metadata['doc']: the spec reference needs its line")
    one_of = spec_field.metadata.get("one_of")
    return doc + (f" One of: {', '.join(f'`{value}`' for value in one_of)}." if one_of else "")


def section_rows(section: type) -> list[tuple[str, str, str, str]]:
    """(key, JSON type, default, what it does) for each field of a section's dataclass."""
    return [
        (spec_field.name, _json_type(str(spec_field.type)), _default(spec_field), _doc(section.__name__, spec_field))
        for spec_field in fields(section)
    ]


def trait_rows() -> list[tuple[str, str, str]]:
    """(type, keys, what it draws) for each trait type."""
    rows = []
    for kind, cls in TRAIT_TYPES.items():
        keys = ["name", "type"] + [f.name for f in fields(cls) if f.name not in ("name", "values")]
        doc = inspect.getdoc(cls)
        if not doc or doc == inspect.getdoc(cls.__mro__[1]):
            raise LookupError(f"the trait type {kind!r} ({cls.__name__}) has no docstring of its own")
        rows.append((kind, ", ".join(f"`{key}`" for key in keys), " ".join(doc.replace("``", "`").split())))
    return rows


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows),
    ]


def spec_reference_markdown() -> str:
    """Every section of the spec, as Markdown: the top level, each section, then the trait types."""
    lines: list[str] = ["## Top level", ""]
    lines += _table(("key", "what it is"), [(f"`{key}`", doc) for key, doc in TOP_LEVEL_DOCS.items()])
    for key, section in SECTIONS:
        lines += ["", f"## `{key}`", ""]
        lines += _table(
            ("key", "type", "default", "what it does"),
            [(f"`{name}`", kind, default, doc) for name, kind, default, doc in section_rows(section)],
        )
    lines += ["", "## `fitness`", ""]
    lines += _table(("key", "what it does"), [(f"`{key}`", doc) for key, doc in FITNESS_DOCS.items()])
    lines += ["", "## Trait types (`traits[]`)", ""]
    lines += _table(("type", "keys", "values"), [(f"`{kind}`", keys, doc) for kind, keys, doc in trait_rows()])
    return "\n".join(lines) + "\n"


def documented_keys() -> dict[str, set[str]]:
    """The keys the reference documents, by section ("" for the top level), for the tests."""
    keys = {"": set(TOP_LEVEL_DOCS), "fitness": set(FITNESS_DOCS)}
    keys.update({name: {f.name for f in fields(section)} for name, section in SECTIONS})
    return keys


__all__ = ["SECTIONS", "documented_keys", "section_rows", "spec_reference_markdown", "trait_rows"]


PAGE = Path(__file__).resolve().parents[2] / "docs" / "spec-reference.md"
START, END = "<!-- spec-reference:start (python -m searches.spec.reference --write) -->", "<!-- spec-reference:end -->"


def page_with_reference(page: str) -> str:
    """``page`` with the tables between its markers written afresh."""
    before, rest = page.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n\n{spec_reference_markdown()}\n{END}{after}"


def _main() -> None:  # pragma: no cover - `python -m searches.spec.reference [--write]`
    if sys.argv[1:] == ["--write"]:
        PAGE.write_text(page_with_reference(PAGE.read_text()))
        print(f"wrote {PAGE.name}")
    else:
        print(spec_reference_markdown())


if __name__ == "__main__":
    _main()
