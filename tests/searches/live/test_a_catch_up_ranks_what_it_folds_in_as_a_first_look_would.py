"""A catch-up folds in a few points at once (``Board.many``) and puts each in its place in the
ranking; a first look sorts many at once. Both give the ranking that one point at a time gives,
confirmations of candidates ranked long before included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searches.live.dashboard import Board, Point


def _points(fitnesses: list[float], confirmed: list[int]) -> list[Point]:
    points = [Point(pk, pk % 3, "offspring", "done", f, f, 10, 1.0, {}) for pk, f in enumerate(fitnesses, start=1)]
    for n, index in enumerate(confirmed):
        original = points[index % len(fitnesses)]
        points.append(Point(len(points) + 1, original.generation, "confirmation", "done", (n % 7) / 7, 0.5, 10, 1.0,
                            {}, replicate_of=original.id))  # fmt: skip
    return points


@settings(max_examples=40, deadline=None)
@given(
    fitnesses=st.lists(st.floats(0, 1), min_size=20, max_size=200),
    confirmed=st.lists(st.integers(0, 10**6), max_size=20),
    batch=st.sampled_from([1, 2, 5, 1000]),
)
def test_a_catch_up_ranks_as_one_point_at_a_time_does(fitnesses, confirmed, batch):
    points = _points(fitnesses, confirmed)
    one_at_a_time = Board((), 3)
    for point in points:
        one_at_a_time.add(point)
    in_batches = Board((), 3)
    for start in range(0, len(points), batch):
        in_batches.add_all(points[start : start + batch])
    expected = one_at_a_time.leaderboard(size=10**6)
    assert in_batches.leaderboard(size=10**6) == expected
    assert len({row["id"] for row in expected}) == len(expected)
