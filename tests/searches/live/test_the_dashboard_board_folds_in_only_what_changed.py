"""The dashboard's board is kept between updates and folds in only what ended since; a client
that says what it holds gets only what changed, and what it pieces together is the whole state."""

from __future__ import annotations

import pytest

from searches import services
from searches.live import dashboard
from searches.live import state as live_state
from searches.models import Entity
from tests.simulate import simulated_search

ENDED_BEFORE = 300


def _end(search, count: int) -> None:
    queued = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("index")[:count]
    for entity in queued:
        services.entity_claim(entity_id=entity.pk, worker="w@test")
        services.entity_record_result(entity_id=entity.pk, accuracy=0.95, parameter_count=10, train_seconds=2.0)


def _whole(search, board=None) -> dict:
    state = live_state.dashboard_state(search, board=board)
    for key in ("version", "base", "delta", "early_stopping", "final", "search", "workers"):
        state.pop(key)
    return state


COLUMNS = ("id", "generation", "fitness", "status", "origin", "parameter_count", "train_seconds")


def _pieced(old: dict, delta: dict) -> dict:
    """What the page makes of a delta (``merged`` in dashboard.js)."""
    pieced = {**delta}
    if delta["points"] is not None:
        pieced["points"] = {key: old["points"][key] + delta["points"][key] for key in COLUMNS}
        pieced["points"]["traits"] = {
            name: old["points"]["traits"][name] + values for name, values in delta["points"]["traits"].items()
        }
    pieced["histograms"] = [
        {**h, "counts": {**before["counts"], **h["counts"]}}
        for before, h in zip(old["histograms"], delta["histograms"], strict=True)
    ]
    return pieced


@pytest.fixture
def running():
    return simulated_search(entities=ENDED_BEFORE + 100, population=100, last_generation_queued=True)


@pytest.mark.django_db
def test_a_board_caught_up_holds_what_one_read_afresh_holds(running):
    board = live_state.board_catch_up(running)
    _end(running, 40)
    caught_up = live_state.board_catch_up(running, board)
    assert caught_up is board and len(board.points) == ENDED_BEFORE + 40
    assert _whole(running, board) == _whole(running)


@pytest.mark.django_db
def test_a_delta_holds_only_the_new_points_and_the_generations_they_changed(running):
    board = live_state.board_catch_up(running)
    before = live_state.dashboard_state(running, board=board)
    _end(running, 5)
    live_state.board_catch_up(running, board)
    delta = live_state.dashboard_state(running, board=board, since=(before["base"]["token"], before["base"]["seq"]))
    assert delta["delta"] and len(delta["points"]["id"]) == 5
    last = running.generations - 1
    assert all(set(h["counts"]) == {last} for h in delta["histograms"])
    whole = live_state.dashboard_state(running, board=board)
    for key in ("version", "early_stopping", "final", "search", "workers"):
        whole.pop(key), delta.pop(key)
    pieced = _pieced(before, delta)
    assert pieced["points"] == whole["points"] and pieced["histograms"] == whole["histograms"]


@pytest.mark.django_db
def test_a_client_of_another_board_gets_the_whole_state(running):
    board = live_state.board_catch_up(running)
    state = live_state.dashboard_state(running, board=board, since=("another-board", 10))
    assert not state["delta"] and len(state["points"]["id"]) == ENDED_BEFORE


@pytest.mark.django_db
def test_above_the_threshold_the_page_gets_densities_and_no_points(monkeypatch, running):
    monkeypatch.setattr(dashboard, "AGGREGATE_ABOVE", 100)
    state = live_state.dashboard_state(running)
    assert state["aggregated"] and state["points"] is None
    density = state["density"]
    assert sum(sum(row) for row in density["traits"][0]) == ENDED_BEFORE
    assert sum(sum(bins) for bins in density["generations"].values()) == ENDED_BEFORE
    assert all(row["genome"] for row in state["leaderboard"])  # read back for the rows shown


@pytest.mark.django_db
def test_a_search_that_has_ended_is_read_afresh_once(running):
    board = live_state.board_catch_up(running)
    services.search_cancel(search_id=running.pk)
    running.refresh_from_db()
    assert live_state.board_catch_up(running, board) is not board
