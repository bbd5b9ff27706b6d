"""Several objectives: NSGA-II's order (Deb et al., 2002), Pareto rank first, then crowding distance.

Every objective here is to be maximised (a minimised one is told negated). A point dominates
another when it is at least as good in every objective and better in one; the first front is the
points nobody dominates, the second those only the first dominates, and so on. Within a front,
the crowding distance prefers the points with room around them, so that the front stays spread.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

Vector = Sequence[float]


def dominates(a: Vector, b: Vector) -> bool:
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(x > y for x, y in zip(a, b, strict=True))


def pareto_ranks(points: Sequence[Vector]) -> list[int]:
    """Each point's front, 0 for the first. Two objectives: O(n log n), each point placed on the
    first front whose best second objective so far it beats; more: Deb's O(m n^2) sort."""
    if not points:
        return []
    if len(points[0]) == 2:
        return _ranks_of_two(points)
    return _ranks_of_many(points)


def _ranks_of_two(points: Sequence[Vector]) -> list[int]:
    order = sorted(range(len(points)), key=lambda i: (-points[i][0], -points[i][1]))
    ranks = [0] * len(points)
    # The best second objective of each front so far, as negatives: fronts are in order of falling
    # best, so these rise, and bisect finds the first front the point is not dominated on.
    bests: list[float] = []
    previous = None
    for i in order:
        if previous is not None and tuple(points[i]) == tuple(points[previous]):
            ranks[i] = ranks[previous]  # the same objectives: the same front (neither dominates)
            continue
        # Every point placed before has a first objective at least as high: it dominates this one
        # unless this one's second objective is strictly higher than that point's.
        front = _first_front_beaten(bests, points[i][1])
        if front == len(bests):
            bests.append(-points[i][1])
        else:
            bests[front] = -points[i][1]
        ranks[i] = front
        previous = i
    return ranks


def _first_front_beaten(bests: list[float], second: float) -> int:
    """The first front whose best second objective is strictly below ``second`` (``bests`` holds
    them negated, rising)."""
    return bisect.bisect_right(bests, -second)


def _ranks_of_many(points: Sequence[Vector]) -> list[int]:
    count = len(points)
    dominated_by = [0] * count
    beaten: list[list[int]] = [[] for _ in range(count)]
    for i in range(count):
        for j in range(i + 1, count):
            if dominates(points[i], points[j]):
                beaten[i].append(j)
                dominated_by[j] += 1
            elif dominates(points[j], points[i]):
                beaten[j].append(i)
                dominated_by[i] += 1
    ranks = [0] * count
    front = [i for i in range(count) if dominated_by[i] == 0]
    level = 0
    while front:
        following = []
        for i in front:
            ranks[i] = level
            for j in beaten[i]:
                dominated_by[j] -= 1
                if dominated_by[j] == 0:
                    following.append(j)
        front, level = following, level + 1
    return ranks


def crowding_distances(points: Sequence[Vector], ranks: Sequence[int]) -> list[float]:
    """Each point's crowding distance within its front: the sum, over the objectives, of the gap
    between its two neighbours, over the front's range; the front's ends get infinity."""
    distances = [0.0] * len(points)
    fronts: dict[int, list[int]] = {}
    for index, rank in enumerate(ranks):
        fronts.setdefault(rank, []).append(index)
    for members in fronts.values():
        for objective in range(len(points[members[0]])):
            ordered = sorted(members, key=lambda i: points[i][objective])
            distances[ordered[0]] = distances[ordered[-1]] = math.inf
            # The range over the finite values: a point lacking a value (a failed or unmeasured one:
            # minus infinity) has infinite room beside it, and no range is infinite (inf / inf is NaN).
            finite = [points[i][objective] for i in ordered if math.isfinite(points[i][objective])]
            low, high = (finite[0], finite[-1]) if finite else (0.0, 0.0)
            for before, here, after in zip(ordered, ordered[1:], ordered[2:], strict=False):
                gap = points[after][objective] - points[before][objective]
                if not math.isfinite(gap):
                    distances[here] = math.inf
                elif high > low:
                    distances[here] += gap / (high - low)
    return distances


def nsga_order(points: Sequence[Vector]) -> list[tuple[int, float]]:
    """(Pareto rank, crowding distance) of each point: sort by rank, then by distance, larger first."""
    ranks = pareto_ranks(points)
    return list(zip(ranks, crowding_distances(points, ranks), strict=True))
