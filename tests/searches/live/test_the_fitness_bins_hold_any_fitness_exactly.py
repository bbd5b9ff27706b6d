"""The density charts' fitness bins: 0.04 over [0, 1] for an accuracy, widened (never wrongly) for a
fitness outside, a minimised metric's (negative) or a score above 1; every count stays in the bin
that holds its fitness."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from searches.genetics import IntTrait
from searches.live.dashboard import FITNESS_BINS, Board, Point


def board_of(fitnesses: list[float | None]) -> Board:
    board = Board([IntTrait("x", 0, 3)], generations=2)
    for pk, fitness in enumerate(fitnesses, start=1):
        board.add(Point(pk, pk % 2, "offspring", "done", fitness, fitness, 10, 1.0, {"x": pk % 4}))
    return board


def counts_by_generation(board: Board) -> list[int]:
    return [sum(column) for column in zip(*board.fitness_density().values(), strict=True)]


def held(board: Board, fitnesses: list[float]) -> list[int]:
    """How many of ``fitnesses`` each of the board's final bins holds, binned at once by their
    definition (bin i: [(offset + i) * width, (offset + i + 1) * width)), not by widening."""
    scale = board.fitness_scale
    counts = [0] * FITNESS_BINS
    for fitness in fitnesses:
        counts[min(math.floor(fitness / scale.width) - scale.offset, FITNESS_BINS - 1)] += 1
    return counts


def test_accuracies_keep_the_bins_of_0_04_over_0_to_1():
    board = board_of([0.0, 0.05, 0.5, 0.99, 1.0])
    assert board.fitness_scale.range == (0.0, 1.0)
    assert counts_by_generation(board) == held(board, [0.0, 0.05, 0.5, 0.99, 1.0])
    assert counts_by_generation(board)[0] == 1 and counts_by_generation(board)[-1] == 2


def test_a_minimised_metric_s_negative_fitness_is_binned_not_piled_into_the_lowest_bin():
    losses = [-0.31, -0.45, -0.52, -1.7, -2.2]
    board = board_of(losses)
    low, high = board.fitness_scale.range
    assert low <= -2.2 and high > -0.31 and high - low <= 8
    assert counts_by_generation(board) == held(board, losses)
    assert sum(1 for count in counts_by_generation(board) if count) >= 3  # spread, not one bin


def test_a_failed_candidate_has_no_fitness_and_is_not_in_the_densities():
    board = board_of([0.4, None, 0.6])
    assert sum(counts_by_generation(board)) == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=40))
def test_however_the_bins_widen_each_count_stays_in_the_bin_that_holds_its_fitness(fitnesses):
    board = board_of(fitnesses)
    assert counts_by_generation(board) == held(board, fitnesses)
    trait_counts = [sum(column) for column in zip(*board.densities()[0], strict=True)]
    assert trait_counts == held(board, fitnesses)
