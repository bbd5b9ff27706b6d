from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from searches.genetics import Space
from searches.live.dashboard import LEADERBOARD_SIZE, Board, Point

# --- The board's figures for a plain list of points ---------------------------------------------


def board_of(traits, points: Sequence[Point], generations: int) -> Board:
    board = Board(traits, generations)
    board.add_all(points)
    return board


def generation_lines(points: Sequence[Point], generations: int) -> list[dict[str, Any]]:
    """Per generation: best and mean fitness of its candidates, and the best so far."""
    return board_of((), points, generations).lines()


def histograms(space: Space, points: Sequence[Point], generations: int) -> list[dict[str, Any]]:
    """One histogram per trait: counts of the candidates' values per generation (a list per
    generation, every generation). Discrete traits get a bar per value; continuous traits
    get ``CONTINUOUS_BINS`` bins, spaced on a log scale for geometric traits."""
    board = board_of(space, points, generations)
    out = board.histograms()
    for histogram in out:
        histogram["counts"] = [histogram["counts"].get(g, [0] * len(histogram["x"])) for g in range(generations)]
    return out


def leaderboard(points: Sequence[Point], *, offset: int = 0, size: int = LEADERBOARD_SIZE) -> list[dict[str, Any]]:
    """The leaderboard's ranks ``offset + 1`` to ``offset + size`` (see ``Board.leaderboard``)."""
    return board_of((), points, 1).leaderboard(offset=offset, size=size)


def _point(pk, generation, fitness, status="done", origin="offspring", **genome):
    return Point(pk, generation, origin, status, fitness, fitness, 1000, 1.0, genome)


def test_generation_lines_track_best_mean_and_best_so_far():
    points = [_point(1, 0, 0.5), _point(2, 0, 0.7), _point(3, 1, 0.6), _point(4, 1, 0.2)]
    lines = generation_lines(points, generations=3)
    assert [line["best"] for line in lines] == [0.7, 0.6, None]
    assert [line["best_so_far"] for line in lines] == [0.7, 0.7, None]
    assert lines[1]["mean"] == 0.4


def test_the_baseline_is_no_generations_best():
    points = [_point(1, 0, 0.5), _point(2, 0, 0.9, origin="baseline")]
    assert generation_lines(points, generations=1)[0]["best"] == 0.5


def test_a_discrete_trait_gets_a_bar_per_value_per_generation():
    space = Space.from_spec([{"name": "units", "type": "geometric_int", "low": 16, "high": 64, "step": 2}])
    points = [_point(1, 0, 0.1, units=16), _point(2, 0, 0.1, units=64), _point(3, 1, 0.1, units=64)]
    (histogram,) = histograms(space, points, generations=2)
    assert histogram["axis"] == "category" and histogram["x"] == ["16", "32", "64"]
    assert histogram["counts"] == [[1, 0, 1], [0, 0, 1]]


def test_a_continuous_geometric_trait_gets_log_spaced_bins_on_a_log_axis():
    space = Space.from_spec([{"name": "lr", "type": "geometric_float", "low": 1e-4, "high": 1.0}])
    points = [_point(i, 0, 0.1, lr=v) for i, v in enumerate([1e-4, 1e-3, 1e-2, 1e-1, 1.0])]
    (histogram,) = histograms(space, points, generations=1)
    assert histogram["axis"] == "log" and len(histogram["x"]) == 20
    assert sum(histogram["counts"][0]) == 5
    # log-spaced: each of four decades holds five bins, so the five values fall 5 bins apart
    assert [i for i, c in enumerate(histogram["counts"][0]) if c] == [0, 5, 10, 15, 19]


def test_the_leaderboard_ranks_trained_entities_and_leaves_out_copies():
    points = [_point(1, 0, 0.5), _point(2, 0, 0.9, status="cached"), _point(3, 1, 0.7), _point(4, 1, None, "failed")]
    assert [row["id"] for row in leaderboard(points)] == [3, 1]


def test_a_choice_with_many_choices_gets_a_bar_each():
    space = Space.from_spec([{"name": "c", "type": "choice", "choices": [f"v{i}" for i in range(60)]}])
    (histogram,) = histograms(space, [_point(1, 0, 0.1, c="v7")], generations=1)
    assert histogram["axis"] == "category" and len(histogram["x"]) == 60 and histogram["counts"][0][7] == 1
