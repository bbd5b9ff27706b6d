"""A board written to the database (``snapshot.encode``) and read back (``decode``) draws the same
dashboard as the board it was, and goes on the same as it would have: whatever ended before and
after, confirmations of candidates ranked before it was written, points or densities."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searches.genetics import Space
from searches.live import dashboard, snapshot
from searches.live.dashboard import Board, Point

SPACE = Space.from_spec([
    {"name": "units", "type": "geometric_int", "low": 8, "high": 64, "step": 2},
    {"name": "rate", "type": "geometric_float", "low": 0.001, "high": 0.1},
    {"name": "flag", "type": "bool"},
])  # fmt: skip
GENERATIONS = 4
EPOCHS = [1, 3]

ended = st.lists(
    st.tuples(
        st.integers(0, GENERATIONS - 1),
        st.sampled_from(["done", "done", "failed", "cached", "stopped", "confirmation", "baseline"]),
        st.floats(0, 1),
        st.sampled_from([8, 16, 32, 64]),
        st.booleans(),
        st.integers(10, 1000),
    ),
    min_size=1,
    max_size=50,
)


def _points(rows) -> list[Point]:
    points: list[Point] = []
    for pk, (generation, kind, fitness, units, flag, size) in enumerate(rows, start=1):
        genome = {"units": units, "rate": 0.01, "flag": flag}
        done = [p.id for p in points if p.is_ranked and p.origin != "baseline"]
        if kind == "confirmation" and done:
            replicate_of = done[int(fitness * 1000) % len(done)]
            points.append(Point(pk, generation, "confirmation", "done", fitness, fitness, size, 1.0, genome,
                                epochs=3, replicate_of=replicate_of, worker="w1"))  # fmt: skip
            continue
        origin = "baseline" if kind == "baseline" else "offspring"
        status = "done" if kind in ("confirmation", "baseline") else kind
        points.append(Point(
            pk, generation, origin, status, None if status == "failed" else fitness, fitness, size, 1.0 + pk,
            genome, epochs=1 if status == "stopped" else 3, worker=f"w{pk % 3}",
        ))  # fmt: skip
    return points


def _drawn(board: Board) -> dict:
    """Everything the dashboard gets from a board, the whole leaderboard included."""
    drawn = {
        "lines": board.lines(), "histograms": board.histograms(), "total": board.ranked_count,
        "leaderboard": board.leaderboard(size=10**6), "best": board.best_fitness, "points": len(board.points),
        "status": dict(board.status_counts), "workers": dict(board.done_by_worker), "early": board.early,
        "seconds": board.trained_seconds, "baseline": board.baseline, "newest_end": board.newest_end,
        "fronts": {cost: front.rows() for cost, front in board.fronts.items()},
        "rungs": board.rungs.rows() if board.rungs else None, "aggregated": board.aggregated,
        "densities": board.densities(), "by_generation": board.fitness_density(),
        "scale": (board.fitness_scale.range, board.fitness_scale.changes, board.scale_moved_at),
    }  # fmt: skip
    if not board.aggregated:
        drawn["point_columns"] = board.point_columns()
    return drawn


@settings(max_examples=60, deadline=None)
@given(
    ended=ended,
    written_after=st.integers(0, 50),
    objectives=st.sampled_from([(), ("accuracy", "-parameters")]),
    aggregate_above=st.sampled_from([5, 20, 1000]),
    batch=st.sampled_from([1, 3, 50]),
)
def test_a_board_read_back_draws_what_it_drew_and_goes_on_the_same(
    ended, written_after, objectives, aggregate_above, batch
):
    points = _points(ended)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dashboard, "AGGREGATE_ABOVE", aggregate_above)
        whole = Board(SPACE, GENERATIONS, rungs=EPOCHS, objectives=objectives)
        whole.add_all(points)
        before = Board(SPACE, GENERATIONS, rungs=EPOCHS, objectives=objectives)
        before.add_all(points[:written_after])
        read_back = snapshot.decode(snapshot.encode(before))
        assert read_back is not None
        assert _drawn(read_back) == _drawn(before)
        assert read_back.token != before.token  # a client's copy of the other board is not a prefix of this one
        # A catch-up looks again at what ended shortly before (folded in already), then at what is new.
        rest = points[written_after // 2 :]
        for start in range(0, len(rest), batch):  # a catch-up at a time, as a live board folds them in
            read_back.add_all(rest[start : start + batch])
        assert _drawn(read_back) == _drawn(whole)
        again = snapshot.decode(snapshot.encode(read_back))  # written again with Points not made yet
        assert _drawn(again) == _drawn(whole)


def test_a_board_written_by_another_layout_is_not_read():
    board = Board(SPACE, GENERATIONS)
    data = snapshot.encode(board)
    assert snapshot.decode(data) is not None
    other = snapshot.zlib.compress(snapshot.pickle.dumps(("another layout", {})))
    assert snapshot.decode(other) is None


def test_the_layout_changes_when_the_board_gains_an_attribute(monkeypatch):
    original = Board.__init__

    def with_one_more(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.something_new = 0

    monkeypatch.setattr(Board, "__init__", with_one_more)
    assert snapshot._format() != snapshot.FORMAT


class _Calls:
    def __reduce__(self):
        return (print, ("anything a row changed by hand names",))


def test_a_row_that_names_anything_else_is_refused_not_called():
    with pytest.raises(snapshot.pickle.UnpicklingError, match=r"builtins\.print is not part of a dashboard board"):
        snapshot.decode(snapshot.zlib.compress(snapshot.pickle.dumps((snapshot.FORMAT, _Calls()))))


def test_a_client_s_copy_cannot_start_before_the_points_a_board_read_back_dropped():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dashboard, "AGGREGATE_ABOVE", 5)
        board = Board(SPACE, GENERATIONS)
        board.add_all(_points([(0, "done", 0.5, 8, False, 10)] * 8))
        read_back = snapshot.decode(snapshot.encode(board))
    assert read_back.dropped == 8 and board.dropped == 0
    assert read_back.delta_generations(8) == set()  # a copy taken from this board holds them all
