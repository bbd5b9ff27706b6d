"""Fitness against its cost (parameters, training seconds): the board's front holds exactly the
candidates that no other beats with a higher fitness at no greater cost, checked against every pair."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searches.genetics import IntTrait
from searches.live.dashboard import Board, ParetoFront, Point


def nobody_beats(rows: list[tuple[int, float, float]]) -> set[tuple[float, float]]:
    """By hand: (cost, fitness) of every row that no other row dominates (ties: one of them stays)."""
    kept = set()
    for _, cost, fitness in rows:
        beaten = any((c <= cost and f >= fitness) and (c < cost or f > fitness) for _, c, f in rows)
        if not beaten:
            kept.add((cost, fitness))
    return kept


def test_a_hand_made_front():
    front = ParetoFront()
    for pk, cost, fitness in [(1, 100, 0.5), (2, 50, 0.4), (3, 200, 0.9), (4, 150, 0.45), (5, 50, 0.42), (6, 300, 0.9)]:
        front.add(pk, cost, fitness)
    assert front.rows() == {"id": [5, 1, 3], "cost": [50, 100, 200], "fitness": [0.42, 0.5, 0.9]}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 30)), min_size=1, max_size=60))
def test_any_order_of_candidates_gives_the_front_worked_out_by_hand(pairs):
    rows = [(pk, float(cost), fitness / 30) for pk, (cost, fitness) in enumerate(pairs, start=1)]
    front = ParetoFront()
    for row in rows:
        front.add(*row)
    got = front.rows()
    assert set(zip(got["cost"], got["fitness"], strict=True)) == nobody_beats(rows)
    assert got["cost"] == sorted(got["cost"]) and got["fitness"] == sorted(got["fitness"])


def test_the_board_keeps_a_front_per_cost_of_its_trained_candidates_only():
    board = Board([IntTrait("x", 0, 3)], generations=1)
    for pk, status, fitness, size, seconds in [
        (1, "done", 0.6, 1000, 30.0), (2, "done", 0.7, 5000, 10.0), (3, "stopped", 0.9, 10, 1.0),
        (4, "failed", None, None, None), (5, "done", 0.5, 900, 40.0),
    ]:  # fmt: skip
        board.add(Point(pk, 0, "offspring", status, fitness, fitness, size, seconds, {"x": 1}))
    assert board.fronts["parameter_count"].rows()["id"] == [5, 1, 2]
    assert board.fronts["train_seconds"].rows()["id"] == [2]
