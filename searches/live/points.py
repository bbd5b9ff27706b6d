"""What a dashboard ``Board`` is made of: one ended candidate (``Point``), a trait's axis for its
histograms (``TraitAxis``), the fitness bins that widen to hold any fitness (``FitnessScale``), the
front of fitness against a cost (``ParetoFront``), early stopping's rungs (``RungLadder``), the
sample behind which traits matter (``ImportanceSample``) and the leaderboard's order with several
objectives (``pareto_leaderboard``). Plain values and small folds, each tested on its own; the
board (``searches.live.dashboard``) keeps one of each per chart.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from searches.genetics import (
    IMPORTANCE_MIN_CANDIDATES,
    Space,
    Trait,
    importance_over_generations,
    importance_sample,
    nsga_order,
)
from searches.spec.labels import value_label
from searches.spec.search import objective_values

log = logging.getLogger("gaweb.dashboard")

CONTINUOUS_BINS = 20
FITNESS_BINS = 25  # bins of 0.04 over [0, 1] while fitness is an accuracy (FitnessScale)


@dataclass(frozen=True, slots=True)
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
    genome: dict[str, Any] | None  # dropped (None) once the board draws densities, not points
    epochs: int | None = None  # epochs trained (fewer than asked when stopped early)
    replicate_of: int | None = None  # a confirmation: the candidate it trains again
    worker: str = ""

    def without_genome(self) -> Point:
        """This point without its genome (a board above ``AGGREGATE_ABOVE`` keeps no genomes)."""
        if self.genome is None:
            return self
        return Point(
            self.id,
            self.generation,
            self.origin,
            self.status,
            self.fitness,
            self.accuracy,
            self.parameter_count,
            self.train_seconds,
            None,
            self.epochs,
            self.replicate_of,
            self.worker,
        )  # fmt: skip (dataclasses.replace costs 10 times as much, at every point of a big board)

    @property
    def is_candidate(self) -> bool:
        """A member of the population: not the baseline (a reference) nor a confirmation (a repeat)."""
        return self.origin not in ("baseline", "confirmation")

    @property
    def is_ranked(self) -> bool:
        """On the leaderboard: trained to its last epoch, not a repeat of another."""
        return self.status == "done" and self.fitness is not None and self.origin != "confirmation"


class TraitAxis:
    """How a trait's values fall into the bars of its histogram (and columns of its density)."""

    def __init__(self, trait: Trait):
        self.name, self.kind = trait.name, trait.kind
        grid = trait.grid()
        categorical = trait.kind in ("bool", "choice")  # at most 256 choices: always one bar each
        self.edges: list[float] | None = None
        if grid is not None and (categorical or len(grid) <= 40):
            self.axis = "category"
            self.x: list[Any] = [value_label(v) for v in grid]
            # Keyed by type and value, so that True is not counted as the choice 1.
            self._index = {(type(v), v): i for i, v in enumerate(grid)}
            return
        geometric = trait.kind.startswith("geometric")
        low, high = trait.low, trait.high
        if geometric:
            self.edges = [low * (high / low) ** (i / CONTINUOUS_BINS) for i in range(CONTINUOUS_BINS + 1)]
        else:
            self.edges = [low + (high - low) * i / CONTINUOUS_BINS for i in range(CONTINUOUS_BINS + 1)]
        self.axis = "log" if geometric else "linear"
        self.x = [math.sqrt(a * b) if geometric else (a + b) / 2 for a, b in itertools.pairwise(self.edges)]

    @property
    def size(self) -> int:
        return len(self.x)

    def slot(self, value: Any) -> int | None:
        if self.edges is None:
            return self._index.get((type(value), value))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return min(max(bisect.bisect_right(self.edges, value) - 1, 0), CONTINUOUS_BINS - 1)
        return None

    def describe(self) -> dict[str, Any]:
        described = {"name": self.name, "type": self.kind, "axis": self.axis, "x": self.x}
        if self.edges is not None:
            described["edges"] = self.edges
        return described


class FitnessScale:
    """The fitness bins of the density charts: ``bins`` bins, 0.04 wide over [0, 1] while every
    fitness is an accuracy. A fitness outside (a minimised metric's, which is negative; a score
    above 1) widens them: the width doubles until the range holds it, each bin's edges on a
    multiple of its width, so that every old bin falls inside one new bin and the counts kept so
    far stay exact (``widen`` says where each old bin went).

    Bins are whole multiples of the width: bin ``i`` is ``[(offset + i) * width, (offset + i + 1) * width)``.
    """

    def __init__(self, bins: int = FITNESS_BINS):
        self.bins = bins
        self.level = 0  # width = 2 ** level / bins
        self.offset = 0
        self.changes = 0  # how often the bins moved: a client's copy from before is stale
        self.placed = False  # has a fitness been binned yet (the first outside [0, 1] sets the window)

    @property
    def width(self) -> float:
        return 2.0**self.level / self.bins

    @property
    def range(self) -> tuple[float, float]:
        return self.offset * self.width, (self.offset + self.bins) * self.width

    def slot(self, fitness: float) -> int | None:
        """The bin of ``fitness``, or None if it lies outside (``widen`` first)."""
        index = math.floor(fitness / self.width) - self.offset
        if fitness == self.range[1] and self.level == 0 and self.offset == 0:
            index = self.bins - 1  # an accuracy of exactly 1 is in the top bin, as it always was
        return index if 0 <= index < self.bins else None

    def widen(self, fitness: float) -> list[int]:
        """Widen the bins to hold ``fitness``; returns the new bin of each old one."""
        old_level, old_offset = self.level, self.offset
        if not self.placed:  # nothing counted yet: centre the window on the first fitness instead
            self.placed = True
            self.offset = math.floor(fitness / self.width) - self.bins // 2
            self.changes += 1
            return list(range(self.bins))
        low = min(self.offset, math.floor(fitness / self.width))
        high = max(self.offset + self.bins - 1, math.floor(fitness / self.width))
        while high - low >= self.bins:
            self.level += 1
            low, high = low // 2, high // 2  # floor division: the edges stay on multiples of the width
        self.offset = low
        self.changes += 1
        shift = self.level - old_level
        return [((old_offset + i) >> shift) - self.offset for i in range(self.bins)]


class ParetoFront:
    """The candidates no other beats on both counts: higher fitness at no greater cost (parameters,
    or training seconds). Kept sorted by cost, fitness rising with it; a candidate is folded in
    in O(size of the front), which stays small (tens) whatever the search's size."""

    def __init__(self):
        self.costs: list[float] = []
        self.fitnesses: list[float] = []
        self.ids: list[int] = []

    def add(self, pk: int, cost: float, fitness: float) -> None:
        at = bisect.bisect_right(self.costs, cost)
        if at and self.fitnesses[at - 1] >= fitness:
            return  # one as cheap or cheaper is at least as fit
        end = at
        while end < len(self.costs) and self.fitnesses[end] <= fitness:
            end += 1  # as costly or more, and no fitter: no longer on the front
        while at and self.costs[at - 1] == cost:  # as costly and less fit (the check above): replaced too
            at -= 1
        self.costs[at:end], self.fitnesses[at:end], self.ids[at:end] = [cost], [fitness], [pk]

    def rows(self) -> dict[str, list]:
        return {"id": list(self.ids), "cost": list(self.costs), "fitness": list(self.fitnesses)}


class RungLadder:
    """Early stopping's rungs: how many candidates reached each, and the fitness of those that
    ended there (stopped at that rung; at the last, trained to the end).

    ``epochs``: the rungs in increasing order, the last being every epoch (``StoppingRule.rungs``
    and ``training.epochs``). A candidate stopped between two rungs (the median rule decides after
    every epoch) ended at the rung below. Each rung's fitnesses are kept in order, so that its
    quartiles cost nothing to read however many candidates came.
    """

    def __init__(self, epochs: list[int]):
        self.epochs = epochs
        self.reached = [0] * len(epochs)
        self._ended: list[list[float]] = [[] for _ in epochs]

    def add(self, trained_epochs: int, fitness: float | None) -> None:
        top = bisect.bisect_right(self.epochs, trained_epochs) - 1
        for rung in range(top + 1):
            self.reached[rung] += 1
        if top >= 0 and fitness is not None and math.isfinite(fitness):
            bisect.insort(self._ended[top], fitness)

    def rows(self) -> dict[str, list]:
        """Per rung: its epoch, how many reached it, how many ended there with a fitness, and the
        five numbers of their fitnesses (lowest, quartiles, highest; None where none ended there)."""
        return {
            "epochs": list(self.epochs),
            "reached": list(self.reached),
            "ended": [len(values) for values in self._ended],
            "fitness": [_five_numbers(values) for values in self._ended],
        }


def _five_numbers(ordered: list[float]) -> list[float] | None:
    if not ordered:
        return None
    last = len(ordered) - 1

    def at(share: float) -> float:  # linear between the two nearest, as numpy's default percentile
        position = share * last
        low = math.floor(position)
        high = min(low + 1, last)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return [ordered[0], at(0.25), at(0.5), at(0.75), ordered[-1]]


def pareto_leaderboard(
    objectives: tuple[str, ...], points: list[Point], fitness: list[float]
) -> tuple[list[int], list[int]]:
    """With several objectives, the leaderboard's order of ``points`` (given in fitness order, with
    their ``fitness``, a confirmed one's mean): NSGA-II's, the first Pareto front first, within a
    front the larger crowding distance first, then the fitness order. Returns the indices in that
    order, and each point's front (0 for the first)."""
    vectors = [
        objective_values(objectives, fitness=f, parameter_count=p.parameter_count, train_seconds=p.train_seconds)
        for p, f in zip(points, fitness, strict=True)
    ]
    order = nsga_order(vectors)
    return sorted(range(len(points)), key=lambda i: (order[i][0], -order[i][1], i)), [rank for rank, _ in order]


# Trait importance (``genetics.trait_importance``) is computed from a uniform sample of this many
# fully trained candidates, again once that count has grown by a tenth (and by 10 at least).
IMPORTANCE_SAMPLE = 1000
IMPORTANCE_EVERY = 10


class ImportanceSample:
    """Which traits matter, from the fully trained candidates folded in: (id, generation, genome,
    fitness) of those first in the sample order (``genetics.importance_sample``), the same sample in
    every process whatever order they came in, worked out again only as the count grows."""

    def __init__(self, space: Space):
        self.space = space
        self._rows: list[tuple[int, int, dict[str, Any], float]] = []
        self._by_generation: Counter = Counter()
        self._trained = 0
        self._importance: dict[str, Any] | None = None
        self._at = 0

    def add(self, row: tuple[int, int, dict[str, Any], float]) -> None:
        self._trained += 1
        self._by_generation[row[1]] += 1
        self._rows.append(row)
        if len(self._rows) >= 2 * IMPORTANCE_SAMPLE:  # keep what any sample could take
            self._rows = importance_sample(self._rows, IMPORTANCE_SAMPLE)

    def worked_out(self, *, final: bool = False) -> dict[str, Any] | None:
        """``genetics.importance_over_generations``, worked out again only once the trained
        candidates have grown by a tenth (10 at least), or at the search's end (``final``): never
        per poll."""
        trained, last = self._trained, self._at
        first = self._importance is None and trained >= IMPORTANCE_MIN_CANDIDATES
        if trained != last and (final or first or trained - last >= max(IMPORTANCE_EVERY, last // 10)):
            self._at = trained
            try:
                self._importance = importance_over_generations(self.space, self._rows, trained=self._by_generation)
            except Exception:  # an optional panel: the rest of the dashboard must not go with it
                log.exception("trait importance could not be worked out")
                self._importance = None
        return self._importance
