"""The dashboard's chart data, built from plain rows by plain code (the figures are drawn in the browser).

A ``Board`` folds in the ended candidates of a search one ``Point`` at a time and keeps
every aggregate the charts need: the lines of fitness by generation, a histogram per trait
and generation, the trait-against-fitness and generation-against-fitness densities, the
ranking, the counts. A live search's board is kept between updates (``state_cache``) and
only the candidates that ended since are folded in, so an update costs what changed, not
the whole search; ``delta`` says what changed since a client's copy.

Up to ``AGGREGATE_ABOVE`` candidates the page also gets every point (and draws them); above
it, the densities replace the points: a chart of 100,000 markers cannot be read anyway, and
a browser keeps only about 16 WebGL contexts for the charts that would need them.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import itertools
import math
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from searches.genetics import Space, Trait
from searches.live.points import (
    FITNESS_BINS,
    FitnessScale,
    ImportanceSample,
    ParetoFront,
    Point,
    RungLadder,
    TraitAxis,
    pareto_leaderboard,
)

LEADERBOARD_SIZE = 25
AGGREGATE_ABOVE = 2000


def _zeros(size: int) -> list[int]:
    return [0] * size


class Board:
    """Every aggregate of the dashboard for one search, folded in one ended candidate at a time."""

    def __init__(
        self, traits: Iterable[Trait], generations: int, *, rungs: list[int] | None = None, objectives: tuple = ()
    ):
        self.token = uuid.uuid4().hex[:12]  # a client's delta must start from this very board
        self.generations = generations
        self.space = traits if isinstance(traits, Space) else Space(tuple(traits))
        self.axes = [TraitAxis(trait) for trait in self.space]
        self.points: list[Point] = []  # in the order folded in: a client's copy is a prefix
        self.dropped = 0  # the first points, not held (a board read back keeps only their count)
        self.ids: set[int] = set()
        self._lines: dict[int, list[float]] = {}  # generation -> [count, sum, best]
        self._histograms = [defaultdict(functools.partial(_zeros, axis.size)) for axis in self.axes]
        self._density = [[[0] * FITNESS_BINS for _ in range(axis.size)] for axis in self.axes]
        self._fitness_density: dict[int, list[int]] = defaultdict(functools.partial(_zeros, FITNESS_BINS))
        self.fitness_scale = FitnessScale(FITNESS_BINS)
        self.scale_moved_at = 0  # how many points the board held when the fitness bins last moved
        self._confirmed: dict[int, list[float]] = defaultdict(list)
        self._ranked: dict[int, Point] = {}
        self._keys: dict[int, tuple] = {}
        self._ranking: list[tuple] = []  # sorted (-mean fitness, generation, id)
        self.done_by_worker: Counter = Counter()
        self.status_counts: Counter = Counter()
        self.baseline: Point | None = None
        self.newest_end = None  # the latest ``finished_at`` folded in: where the next catch-up looks from
        self.search_status = ""  # the search's status when last caught up
        self.trained_seconds = [0.0, 0]  # sum and count of the trained candidates' times
        self.early = {"trained": 0, "stopped": 0, "epochs": 0, "seconds": 0.0}
        self.importance = ImportanceSample(self.space)
        # Fitness against what it cost, for the fully trained candidates: size, and training time.
        self.fronts = {"parameter_count": ParetoFront(), "train_seconds": ParetoFront()}
        # With early stopping: the candidates that reached each rung, and the fitness where they ended.
        self.rungs = RungLadder(rungs) if rungs else None
        # Several objectives: the leaderboard follows NSGA-II (worked out when the ranking changed).
        self.objectives = objectives
        self._pareto: tuple[int, list[int], dict[int, int]] | None = None  # (ranking changes, order, fronts)
        self._changes = 0
        self._deferred: dict[int, tuple | None] | None = None  # within many(): ranked, with their keys before
        self.kept: tuple | None = None  # when it was last written to the database (``snapshot``)

    @property
    def aggregated(self) -> bool:
        return len(self.points) > AGGREGATE_ABOVE

    def add_all(self, points: Iterable[Point]) -> None:
        with self.many():
            for point in points:
                self.add(point)

    @contextlib.contextmanager
    def many(self):
        """Fold many points at once: the ranking is put in order at the end, sorted whole when many were
        ranked (a first look), each put in its place when a few were (a catch-up)."""
        self._deferred = {}
        try:
            yield self
        finally:
            ranked, self._deferred = self._deferred, None
            if len(ranked) * 16 > len(self._ranking):
                self._ranking = sorted(self._keys.values())
            else:
                for pk, before in ranked.items():
                    if before is not None:
                        del self._ranking[bisect.bisect_left(self._ranking, before)]
                    bisect.insort(self._ranking, self._keys[pk])

    def add(self, point: Point) -> None:
        if point.id in self.ids:
            return
        self.ids.add(point.id)
        if point.is_candidate:
            self._fold_candidate(point)  # the genome counts here; kept below only while points are drawn
        if len(self.points) >= AGGREGATE_ABOVE:
            if len(self.points) == AGGREGATE_ABOVE:
                self.points = [p.without_genome() for p in self.points]
            point = point.without_genome()
        self.points.append(point)
        self.status_counts[point.status] += 1
        if point.status == "done":
            self.done_by_worker[point.worker] += 1
            if point.train_seconds:
                self.trained_seconds[0] += point.train_seconds
                self.trained_seconds[1] += 1
        if point.status in ("done", "stopped") and point.epochs:
            self.early["trained"] += 1
            self.early["stopped"] += point.status == "stopped"
            self.early["epochs"] += point.epochs
            self.early["seconds"] += point.train_seconds or 0.0
            if self.rungs is not None and point.is_candidate:
                self.rungs.add(point.epochs, point.fitness)
        if point.origin == "baseline" and point.fitness is not None:
            self.baseline = point
        if point.origin == "confirmation" and point.status == "done" and point.fitness is not None:
            self._confirmed[point.replicate_of].append(point.fitness)
            self._rank(point.replicate_of)
        if point.is_ranked:
            self._ranked[point.id] = point
            self._rank(point.id)

    def _fold_candidate(self, point: Point) -> None:
        if point.fitness is not None:
            line = self._lines.setdefault(point.generation, [0, 0.0, -math.inf])
            line[0] += 1
            line[1] += point.fitness
            line[2] = max(line[2], point.fitness)
        if point.status == "done" and point.fitness is not None and math.isfinite(point.fitness):
            if point.genome:
                self.importance.add((point.id, point.generation, point.genome, point.fitness))
            for cost, front in self.fronts.items():
                if (value := getattr(point, cost)) is not None:
                    front.add(point.id, value, point.fitness)
        # The densities count candidates by fitness: those with one (not the failed).
        bin_ = self._fitness_bin(point.fitness)
        if point.generation < self.generations and bin_ is not None:
            self._fitness_density[point.generation][bin_] += 1
        for index, axis in enumerate(self.axes):
            slot = axis.slot((point.genome or {}).get(axis.name))
            if slot is None:
                continue
            if point.generation < self.generations:
                self._histograms[index][point.generation][slot] += 1
            if bin_ is not None:
                self._density[index][slot][bin_] += 1

    def trait_importance(self, *, final: bool = False) -> dict[str, Any] | None:
        return self.importance.worked_out(final=final)

    def _fitness_bin(self, fitness: float | None) -> int | None:
        if fitness is None or not math.isfinite(fitness):
            return None
        slot = self.fitness_scale.slot(fitness)
        if slot is None:
            moved = self.fitness_scale.widen(fitness)
            self.scale_moved_at = len(self.points)
            for counts in [*self._fitness_density.values(), *itertools.chain.from_iterable(self._density)]:
                merged = [0] * len(counts)
                for old, count in enumerate(counts):
                    merged[moved[old]] += count
                counts[:] = merged
            slot = self.fitness_scale.slot(fitness)
        self.fitness_scale.placed = True
        return slot

    def _rank(self, pk: int) -> None:
        point = self._ranked.get(pk)
        if point is None:
            return  # a confirmation of a candidate not folded in yet: ranked when it is
        key = (-self.mean_fitness(point), point.generation, pk)
        self._changes += 1
        if self._deferred is not None:
            self._deferred.setdefault(pk, self._keys.get(pk))  # where it was in the ranking before many()
        else:
            if pk in self._keys:
                del self._ranking[bisect.bisect_left(self._ranking, self._keys[pk])]
            bisect.insort(self._ranking, key)
        self._keys[pk] = key

    def _page(self, offset: int, size: int) -> tuple[list[int], dict[int, int]]:
        """The leaderboard's ids from ``offset`` on, ``size`` of them, and each one's Pareto front
        (several objectives only). One objective: a slice of the ranking, whatever its length."""
        if not self.objectives:
            return [pk for *_, pk in self._ranking[offset : offset + size]], {}
        if self._pareto is None or self._pareto[0] != self._changes:
            pks = [pk for *_, pk in self._ranking]
            points = [self._ranked[pk] for pk in pks]
            order, fronts = pareto_leaderboard(self.objectives, points, [self.mean_fitness(p) for p in points])
            self._pareto = (self._changes, [pks[i] for i in order], dict(zip(pks, fronts, strict=True)))
        return self._pareto[1][offset : offset + size], self._pareto[2]

    def mean_fitness(self, point: Point) -> float:
        return statistics.fmean([point.fitness, *self._confirmed.get(point.id, [])])

    # --- What the page gets ------------------------------------------------------------

    def lines(self) -> list[dict[str, Any]]:
        """Per generation: best and mean fitness of its candidates, and the best so far."""
        rows, best_so_far = [], None
        for number in range(self.generations):
            count, total, best = self._lines.get(number, (0, 0.0, None))
            if count:
                best_so_far = best if best_so_far is None else max(best_so_far, best)
            rows.append({
                "generation": number, "best": best if count else None, "mean": total / count if count else None,
                "best_so_far": best_so_far if count else None, "count": count,
            })  # fmt: skip
        return rows

    def histograms(self, generations: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """Per trait, the counts of each generation (of ``generations`` only, for a delta), keyed by number."""
        out = []
        for axis, by_generation in zip(self.axes, self._histograms, strict=True):
            chosen = sorted(by_generation) if generations is None else sorted(set(generations) & set(by_generation))
            out.append({**axis.describe(), "counts": {g: by_generation[g] for g in chosen}})
        return out

    def densities(self) -> list[list[list[int]]]:
        """Per trait, candidates by value (rows) and fitness bin (columns)."""
        return self._density

    def fitness_density(self, generations: Iterable[int] | None = None) -> dict[int, list[int]]:
        chosen = sorted(self._fitness_density) if generations is None else sorted(set(generations))
        return {g: self._fitness_density[g] for g in chosen if g in self._fitness_density}

    @property
    def best_fitness(self) -> float | None:
        """The top of the ranking, the baseline aside (it ranks as a reference): the search's best
        fitness as every page shows it (``Search.best_fitness``)."""
        for _, _, pk in self._ranking:
            point = self._ranked[pk]
            if point.origin != "baseline":
                return self.mean_fitness(point)
        return None

    @property
    def ranked_count(self) -> int:
        return len(self._ranking)

    def leaderboard(self, *, offset: int = 0, size: int = LEADERBOARD_SIZE) -> list[dict[str, Any]]:
        """Ranks ``offset + 1`` to ``offset + size``: the fittest candidates trained to their last epoch,
        a confirmed one by the mean of its trainings (``trainings`` says how many). Cached copies
        repeat an original and are left out. Rows carry ``genome`` only where the point kept it.
        With several objectives, NSGA-II's order, and ``front`` (1 for the Pareto front)."""
        rows = []
        page, fronts = self._page(offset, size)
        for rank, pk in enumerate(page, start=offset + 1):
            p = self._ranked[pk]
            rows.append({
                "rank": rank, "id": p.id, "generation": p.generation, "origin": p.origin,
                "fitness": self.mean_fitness(p), "trainings": 1 + len(self._confirmed.get(p.id, [])),
                "accuracy": p.accuracy, "parameter_count": p.parameter_count, "train_seconds": p.train_seconds,
                "genome": p.genome, **({"front": fronts[pk] + 1} if fronts else {}),
            })  # fmt: skip
        return rows

    def point_columns(self, start: int = 0) -> dict[str, Any]:
        """The points folded in from ``start`` on, as columns (the scatter charts draw them)."""
        points = self.points[start:]
        return {
            "id": [p.id for p in points],
            "generation": [p.generation for p in points],
            "fitness": [p.fitness if p.fitness is not None else 0.0 for p in points],
            "status": [p.status for p in points],
            "origin": [p.origin for p in points],
            "parameter_count": [p.parameter_count for p in points],
            "train_seconds": [p.train_seconds for p in points],
            "traits": {axis.name: [(p.genome or {}).get(axis.name) for p in points] for axis in self.axes},
        }

    def delta_generations(self, start: int) -> set[int]:
        """The generations whose aggregates changed with the points folded in from ``start`` on."""
        return {p.generation for p in self.points[start:]}
