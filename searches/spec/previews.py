"""What the form's trait editor shows while the user types: each trait's exact distribution, or why
the trait is not valid, and the number of combinations of the space.

The editor asks the server rather than re-implement the traits' grids and laws in
JavaScript, so what it previews is what ``searches.genetics`` will sample.
"""

from __future__ import annotations

import bisect
import itertools
import math
from typing import Any

from searches.genetics import Space, SpecError, Trait, trait_from_spec
from searches.spec.labels import value_label

BARS_UP_TO = 40
BINS = 24
MAX_TRAITS_PREVIEWED = 64


def space_preview(traits: Any) -> dict[str, Any]:
    """``{"traits": [...], "combinations": n or None, "errors": {path: [messages]}}``.

    Each trait gets ``{"axis", "x", "p", "cardinality"}`` (the bars of its law), or
    ``None`` where it is not valid; errors are keyed by field path, as the form shows them.
    """
    if not isinstance(traits, list):
        return {"traits": [], "combinations": None, "errors": {"traits": ["must be a list of traits"]}}
    previews: list[dict[str, Any] | None] = []
    for spec in traits[:MAX_TRAITS_PREVIEWED]:
        try:
            previews.append(trait_law(trait_from_spec(spec)))
        except SpecError:
            previews.append(None)
    try:
        space = Space.from_spec(traits)
    except SpecError as error:
        return {"traits": previews, "combinations": None, "errors": error.prefixed("traits").errors}
    return {"traits": previews, "combinations": space.combinations, "errors": {}}


def trait_law(trait: Trait) -> dict[str, Any]:
    """The probability of each value (a bar per value), or of each of ``BINS`` bins on the trait's scale."""
    grid = trait.grid()
    weights = _weights(trait, grid) if grid is not None else None
    if grid is not None and (trait.kind in ("bool", "choice") or len(grid) <= BARS_UP_TO):
        total = sum(weights)
        return {
            "axis": "category",
            "x": [value_label(v) for v in grid],
            "p": [w / total for w in weights],
            "cardinality": len(grid),
        }
    geometric = trait.kind.startswith("geometric")
    low, high = trait.low, trait.high
    if geometric:
        edges = [low * (high / low) ** (i / BINS) for i in range(BINS + 1)]
        centres = [math.sqrt(a * b) for a, b in itertools.pairwise(edges)]
    else:
        edges = [low + (high - low) * i / BINS for i in range(BINS + 1)]
        centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    if grid is None:
        # Continuous: uniform on its own scale, so every bin of that scale holds the same mass.
        mass = [1 / BINS] * BINS
    else:
        mass = [0.0] * BINS
        for value, weight in zip(grid, weights, strict=True):
            mass[_bin(edges, value)] += weight
        total = sum(mass)
        mass = [m / total for m in mass]
    return {"axis": "log" if geometric else "linear", "x": centres, "p": mass, "cardinality": len(grid or ()) or None}


def _weights(trait: Trait, grid: list[Any]) -> list[float]:
    if trait.kind == "geometric_int" and trait.step is None:
        # every integer of the range, log-uniformly: P(k) is proportional to log((k + 1) / k)
        return [math.log((k + 1) / k) for k in grid]
    return [1.0] * len(grid)


def _bin(edges: list[float], value: float) -> int:
    return min(max(bisect.bisect_right(edges, value) - 1, 0), len(edges) - 2)
