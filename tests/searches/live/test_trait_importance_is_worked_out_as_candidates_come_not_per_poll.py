"""The dashboard's trait importance: on the board, worked out again only when a tenth more candidates
(10 at least) have been trained, or the search has ended; in the state the page polls, and in export.json."""

from __future__ import annotations

import json

import pytest

from searches import services
from searches.genetics import IntTrait
from searches.live import points
from searches.live.dashboard import Board, Point
from searches.live.state import board_catch_up, dashboard_state, state_version
from searches.models import Search
from workers.inline import run_inline


def fold(board: Board, start: int, count: int) -> None:
    for pk in range(start, start + count):
        board.add(Point(pk, pk // 10, "offspring", "done", (pk % 7) / 7, 0.5, 10, 1.0, {"x": pk % 7, "y": pk % 3}))


def test_it_is_worked_out_once_per_tenth_more_candidates_or_at_the_end(monkeypatch):
    calls = []
    real = points.importance_over_generations
    monkeypatch.setattr(points, "importance_over_generations", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    board = Board([IntTrait("x", 0, 6), IntTrait("y", 0, 2)], generations=20)
    fold(board, 1, 19)
    assert board.trait_importance() is None  # too few: nothing to claim yet
    fold(board, 20, 1)
    figures = board.trait_importance()
    assert figures["traits"][0] == "x" and len(calls) == 2
    assert board.trait_importance() is figures and len(calls) == 2  # polled again: nothing recomputed
    fold(board, 21, 9)
    assert board.trait_importance() is figures and len(calls) == 2  # 9 more: not yet
    fold(board, 30, 1)
    assert board.trait_importance()["candidates"] == 30 and len(calls) == 3
    fold(board, 31, 1)
    assert board.trait_importance(final=True)["candidates"] == 31 and len(calls) == 4


@pytest.mark.django_db
def test_a_finished_search_s_state_and_export_say_which_traits_matter(client, synthetic_spec, django_user_model):
    search = run_inline(services.search_create(spec=synthetic_spec, execution=Search.Execution.INLINE).pk)
    assert search.status == Search.Status.COMPLETED
    state = dashboard_state(search, version=state_version(search), board=board_catch_up(search))
    names = {trait["name"] for trait in synthetic_spec["traits"]}
    assert set(state["importance"]["traits"]) == names
    assert state["importance"]["candidates"] >= 100

    client.force_login(django_user_model.objects.create_user("reader", password="a-long-password-2"))
    exported = json.loads(b"".join(client.get(f"/searches/{search.pk}/export.json").streaming_content))
    assert set(exported["importance"]["traits"]) == names
    assert exported["importance"]["timeline"]["generations"][-1] == search.generations - 1


def test_an_error_in_working_it_out_leaves_the_panel_empty_not_the_dashboard_broken(monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise KeyError("a genome without one of the space's traits")

    monkeypatch.setattr(points, "importance_over_generations", broken)
    board = Board([IntTrait("x", 0, 6), IntTrait("y", 0, 2)], generations=20)
    fold(board, 1, 30)
    assert board.trait_importance() is None
    assert "trait importance could not be worked out" in caplog.text
