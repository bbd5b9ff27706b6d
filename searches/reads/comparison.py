"""What the "compare searches" page reads: each search's best so far against evaluations and
against wall time, its results side by side, and one search's traits against fitness.

Best-so-far curves are step functions: only their steps are sent (where the best rose, and
the last evaluation), so a curve stays small however long the search. Two queries a search.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from searches.models import Entity, Search
from searches.reads.best import best_entity
from searches.reads.selectors import iso
from searches.spec.labels import value_label

# The parallel coordinates draw at most this many candidates (the fittest half, and a random
# draw of the rest): more lines would be one dark band anyway.
MAX_LINES = 3000


def _evaluations(search: Search):
    """The candidates that cost an evaluation (trained, stopped or failed), in the order they ended."""
    return (
        Entity.objects.population()
        .filter(search=search, status__in=(Entity.Status.DONE, Entity.Status.STOPPED, Entity.Status.FAILED))
        .order_by("finished_at", "id")
    )


def best_so_far(search: Search) -> dict[str, list]:
    """The steps of the best fitness so far: evaluation numbers, seconds since the start, fitness.

    Only candidates trained to their last epoch count for the best (as on the leaderboard).
    """
    started = search.started_at
    steps: dict[str, list] = {"evaluations": [], "seconds": [], "best": []}
    best, count, last = None, 0, None
    rows = _evaluations(search).values_list("status", "fitness", "finished_at")
    for status, fitness, finished in rows:
        count += 1
        seconds = (finished - started).total_seconds() if started and finished else None
        last = (count, seconds)
        if status == Entity.Status.DONE and fitness is not None and (best is None or fitness > best):
            best = fitness
            for key, value in zip(steps, (count, seconds, best), strict=True):
                steps[key].append(value)
    if last is not None and best is not None and steps["evaluations"][-1] != last[0]:
        for key, value in zip(steps, (*last, best), strict=True):
            steps[key].append(value)
    steps["total"] = count  # type: ignore[assignment]
    return steps


def comparison(searches: Sequence[Search]) -> dict[str, Any]:
    """Every chosen search's curve and results, and whether they share one space."""
    spaces = {tuple(trait.name for trait in search.space) for search in searches}
    rows = []
    for search in searches:
        best = best_entity(search)
        curve = best_so_far(search)
        end = search.finished_at
        rows.append(
            {
                "id": search.pk,
                "name": search.name,
                "status": search.status,
                "strategy": search.policy.strategy,
                "mode": search.policy.mode,
                "seed": search.seed,
                "population": search.population,
                "generations": search.generations,
                "evaluations": curve.pop("total"),
                "best_fitness": search.best_fitness,
                "best_id": best.pk if best else None,
                "best_genome": best.genome if best else None,
                "best_genome_text": ", ".join(f"{k}={value_label(v)}" for k, v in best.genome.items()) if best else "-",
                "seconds": (end - search.started_at).total_seconds() if end and search.started_at else None,
                "started_at": iso(search.started_at),
                "curve": curve,
            }
        )
    return {"same_space": len(spaces) == 1, "searches": rows}


MAX_TICKS = 12


def _ticks(trait, log: bool) -> list[float] | None:
    """Where a numeric axis is labelled: at the trait's own values when it has few (a 2-value integer
    shows 2 and 3, not 2.2, 2.4 ...), at 1, 2 and 5 times each power of ten on a log axis (a decade
    alone would label one tick), or None to let the chart choose."""
    grid = trait.grid()
    if grid is None and trait.kind == "int":
        grid = list(range(int(trait.low), int(trait.high) + 1))
    if grid is not None and len(grid) <= MAX_TICKS:
        return [float(v) for v in grid]
    if not log:
        return None
    low, high = float(trait.low), float(trait.high)
    candidates = (
        float(f"{m}e{e}")
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
    )
    ticks = [t for t in candidates if low <= t <= high]
    if len(ticks) > MAX_TICKS:
        ticks = [t for t in ticks if math.log10(t).is_integer()]
    return ticks


def parallel_coordinates(search: Search, *, seed: int = 0) -> dict[str, Any]:
    """One search's candidates as columns, a trait each and fitness: the fittest half of at most
    ``MAX_LINES``, and a random draw (fixed by ``seed``) of the rest."""
    rows = list(
        Entity.objects.population()
        .filter(search=search, status=Entity.Status.DONE, fitness__isnull=False)
        .order_by("-fitness", "id")
        .values_list("fitness", "genome")
    )
    total = len(rows)
    if total > MAX_LINES:
        rest = rows[MAX_LINES // 2 :]
        rows = rows[: MAX_LINES // 2] + random.Random(seed).sample(rest, MAX_LINES - MAX_LINES // 2)
    dimensions = []
    for trait in search.space:
        values = [genome.get(trait.name) for _, genome in rows]
        dimension: dict[str, Any] = {"name": trait.name, "type": trait.kind}
        if trait.kind in ("bool", "choice"):
            grid = trait.grid()
            labels = [str(v).lower() if isinstance(v, bool) else str(v) for v in grid]
            index = {(type(v), v): i for i, v in enumerate(grid)}
            dimension.update(ticks=labels, values=[index.get((type(v), v)) for v in values])
        else:
            log = trait.kind.startswith("geometric")
            dimension.update(log=log, low=trait.low, high=trait.high, values=values, ticks_at=_ticks(trait, log))
        dimensions.append(dimension)
    fitness = [value for value, _ in rows]
    return {"search": search.pk, "shown": len(rows), "total": total, "fitness": fitness, "traits": dimensions}
