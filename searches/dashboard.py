"""The dashboard's chart data, built from plain rows by plain functions (the figures are drawn in the browser).

Every function here takes the ended candidates of a search as ``Point`` rows and
returns JSON-ready dicts: aggregated on the server, so that the page gets bins
and statistics, not one value per entity per chart.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .genetics import Space, Trait

CONTINUOUS_BINS = 20
LEADERBOARD_SIZE = 25


@dataclass(frozen=True)
class Point:
    """An ended candidate: what the charts need of it."""

    id: int
    generation: int
    origin: str
    status: str
    fitness: float | None
    accuracy: float | None
    parameter_count: int | None
    train_seconds: float | None
    genome: dict[str, Any]
    epochs: int | None = None  # epochs trained (fewer than asked when stopped early)
    replicate_of: int | None = None  # a confirmation: the candidate it trains again

    @property
    def is_candidate(self) -> bool:
        """A member of the population: not the baseline (a reference) nor a confirmation (a repeat)."""
        return self.origin not in ("baseline", "confirmation")


def generation_lines(points: Sequence[Point], generations: int) -> list[dict[str, Any]]:
    """Per generation: best and mean fitness of its candidates, and the best so far."""
    by_generation: dict[int, list[float]] = defaultdict(list)
    for point in points:
        if point.is_candidate and point.fitness is not None:
            by_generation[point.generation].append(point.fitness)
    lines, best_so_far = [], None
    for number in range(generations):
        values = by_generation.get(number)
        if values:
            best_so_far = max(values) if best_so_far is None else max(best_so_far, max(values))
        lines.append(
            {
                "generation": number,
                "best": max(values) if values else None,
                "mean": statistics.fmean(values) if values else None,
                "best_so_far": best_so_far if values else None,
                "count": len(values or ()),
            }
        )
    return lines


def histograms(space: Space, points: Sequence[Point], generations: int) -> list[dict[str, Any]]:
    """One histogram per trait: counts of the candidates' values per generation.

    Discrete traits get a bar per value; continuous traits get ``CONTINUOUS_BINS``
    bins, spaced on a log scale for geometric traits.
    """
    candidates = [p for p in points if p.is_candidate]
    return [_histogram(trait, candidates, generations) for trait in space]


def _histogram(trait: Trait, points: Sequence[Point], generations: int) -> dict[str, Any]:
    geometric = trait.kind.startswith("geometric")
    grid = trait.grid()
    categorical = trait.kind in ("bool", "choice")  # at most 256 choices: always one bar each
    if grid is not None and (categorical or len(grid) <= 40):
        labels = [value_label(v) for v in grid]
        # Keyed by type and value, so that True is not counted as the choice 1.
        index = {(type(v), v): i for i, v in enumerate(grid)}
        counts = [[0] * len(grid) for _ in range(generations)]
        name = trait.name
        for point in points:
            value = point.genome.get(name)
            slot = index.get((type(value), value))
            if slot is not None and point.generation < generations:
                counts[point.generation][slot] += 1
        return {"name": trait.name, "type": trait.kind, "axis": "category", "x": labels, "counts": counts}
    low, high = trait.low, trait.high
    if geometric:
        edges = [low * (high / low) ** (i / CONTINUOUS_BINS) for i in range(CONTINUOUS_BINS + 1)]
    else:
        edges = [low + (high - low) * i / CONTINUOUS_BINS for i in range(CONTINUOUS_BINS + 1)]
    counts = [[0] * CONTINUOUS_BINS for _ in range(generations)]
    for point in points:
        value = point.genome.get(trait.name)
        if isinstance(value, (int, float)) and point.generation < generations:
            slot = min(max(bisect.bisect_right(edges, value) - 1, 0), CONTINUOUS_BINS - 1)
            counts[point.generation][slot] += 1
    centres = [math.sqrt(a * b) if geometric else (a + b) / 2 for a, b in itertools.pairwise(edges)]
    return {
        "name": trait.name,
        "type": trait.kind,
        "axis": "log" if geometric else "linear",
        "x": centres,
        "edges": edges,
        "counts": counts,
    }


def leaderboard(points: Sequence[Point], *, offset: int = 0, size: int = LEADERBOARD_SIZE) -> list[dict[str, Any]]:
    """The fittest candidates trained to their last epoch, ranks ``offset + 1`` to ``offset + size``.

    Cached copies repeat an original and are left out. A candidate confirmed by more trainings
    ranks by their mean (``trainings`` says how many).
    """
    trained, fitness, confirmed = _ranking(points)
    return [
        {
            "rank": rank,
            "id": p.id,
            "generation": p.generation,
            "origin": p.origin,
            "fitness": fitness[p.id],
            "trainings": 1 + len(confirmed.get(p.id, [])),
            "accuracy": p.accuracy,
            "parameter_count": p.parameter_count,
            "train_seconds": p.train_seconds,
            "genome": p.genome,
        }
        for rank, p in enumerate(trained[offset : offset + size], start=offset + 1)
    ]


def ranked_count(points: Sequence[Point]) -> int:
    """How many candidates the leaderboard ranks in all (its pages hold them all)."""
    return sum(1 for p in points if p.status == "done" and p.fitness is not None and p.origin != "confirmation")


def _ranking(points: Sequence[Point]):
    confirmed: dict[int, list[float]] = defaultdict(list)
    for p in points:
        if p.origin == "confirmation" and p.status == "done" and p.fitness is not None:
            confirmed[p.replicate_of].append(p.fitness)
    trained = [p for p in points if p.status == "done" and p.fitness is not None and p.origin != "confirmation"]
    fitness = {p.id: statistics.fmean([p.fitness, *confirmed.get(p.id, [])]) for p in trained}
    trained.sort(key=lambda p: (-fitness[p.id], p.generation, p.id))
    return trained, fitness, confirmed


def point_columns(space: Space, points: Sequence[Point]) -> dict[str, Any]:
    """Every ended candidate as columns (for the fitness scatter and trait-against-fitness charts)."""
    return {
        "id": [p.id for p in points],
        "generation": [p.generation for p in points],
        "fitness": [p.fitness if p.fitness is not None else 0.0 for p in points],
        "status": [p.status for p in points],
        "origin": [p.origin for p in points],
        "traits": {trait.name: [p.genome.get(trait.name) for p in points] for trait in space},
    }


def value_label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
