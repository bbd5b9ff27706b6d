"""A page that applies every delta it is sent ends with what a fresh fetch gives, whatever the
order and size of the batches of results, across the switch from points to densities."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searches.genetics import Space
from searches.live import dashboard
from searches.live.dashboard import Board, Point

SPACE = Space.from_spec([
    {"name": "units", "type": "geometric_int", "low": 8, "high": 64, "step": 2},
    {"name": "rate", "type": "geometric_float", "low": 0.001, "high": 0.1},
    {"name": "flag", "type": "bool"},
])  # fmt: skip
GENERATIONS = 4

results = st.lists(
    st.tuples(
        st.integers(0, GENERATIONS - 1),
        st.sampled_from(["done", "done", "failed", "cached", "stopped"]),
        st.floats(0, 1),
        st.sampled_from([8, 16, 32, 64]),
        st.floats(0.001, 0.1),
        st.booleans(),
    ),
    min_size=1,
    max_size=60,
)


def _points(rows) -> list[Point]:
    return [
        Point(pk, gen, "offspring", status, None if status == "failed" else fitness, fitness, 10, 1.0,
              {"units": units, "rate": rate, "flag": flag}, worker=f"w{pk % 3}")
        for pk, (gen, status, fitness, units, rate, flag) in enumerate(rows, start=1)
    ]  # fmt: skip


def _view(board: Board, start: int | None) -> dict:
    """What the server sends: whole (``start`` None) or the delta since the client's ``start``."""
    changed = None if start is None else board.delta_generations(start)
    sent = {"lines": board.lines(), "leaderboard": board.leaderboard(), "total": board.ranked_count,
            "histograms": board.histograms(changed), "aggregated": board.aggregated}  # fmt: skip
    if board.aggregated:
        again = start is not None and start > dashboard.AGGREGATE_ABOVE
        generations = board.fitness_density(changed if again else None)
        sent["density"] = {"traits": board.densities(), "generations": generations}
        sent["points"] = None
    else:
        sent["points"] = board.point_columns(start or 0)
    return sent


def _apply(copy: dict | None, delta: dict) -> dict:
    """``merged`` of dashboard.js, in Python."""
    if copy is None:
        return delta
    merged = {**delta}
    old, new = copy["points"], delta["points"]
    if new is not None and old is not None:
        columns = ("id", "generation", "fitness", "status", "origin", "parameter_count", "train_seconds")
        merged["points"] = {k: old[k] + new[k] for k in columns}
        merged["points"]["traits"] = {k: old["traits"][k] + v for k, v in new["traits"].items()}
    merged["histograms"] = [
        {**h, "counts": {**before["counts"], **h["counts"]}}
        for before, h in zip(copy["histograms"], delta["histograms"], strict=True)
    ]
    if delta.get("density") and copy.get("density"):
        generations = {**copy["density"]["generations"], **delta["density"]["generations"]}
        merged["density"] = {**delta["density"], "generations": generations}
    return merged


@settings(max_examples=60, deadline=None)
@given(rows=results, cuts=st.lists(st.integers(1, 60), max_size=8), threshold=st.sampled_from([10, 25, 2000]))
def test_the_deltas_add_up_to_the_fresh_state(rows, cuts, threshold):
    saved = dashboard.AGGREGATE_ABOVE
    dashboard.AGGREGATE_ABOVE = threshold
    try:
        points = _points(rows)
        board, copy, seen = Board(SPACE, GENERATIONS), None, None
        edges = sorted({min(c, len(points)) for c in cuts} | {len(points)})
        begin = 0
        for end in edges:  # results end in batches; the page polls after each
            board.add_all(points[begin:end])
            begin = end
            copy = _apply(copy, _view(board, seen))
            seen = len(board.points)
        fresh = _view(board, None)
        assert copy == fresh
        rebuilt = Board(SPACE, GENERATIONS)
        rebuilt.add_all(points)
        assert _view(rebuilt, None) == fresh  # and a board built at once holds the same
    finally:
        dashboard.AGGREGATE_ABOVE = saved
