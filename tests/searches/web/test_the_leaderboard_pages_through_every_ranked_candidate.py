from __future__ import annotations

import pytest

from searches import services
from searches.models import Search
from workers.inline import run_inline


@pytest.fixture
def larger_search(owner, small_spec):
    """60 candidates: more than two pages of the leaderboard."""
    small_spec["ga"].update(population=20, generations=3, elite_previous=5, elite_all_time=5)
    search = services.search_create(spec=small_spec, owner=owner, execution=Search.Execution.INLINE)
    return run_inline(search.pk)


@pytest.mark.django_db
def test_the_state_says_how_many_the_leaderboard_ranks_in_all(owner_client, larger_search):
    state = owner_client.get(f"/api/searches/{larger_search.pk}/").json()
    assert len(state["leaderboard"]) == 25
    assert state["leaderboard_total"] == state["progress"]["done"] > 25


@pytest.mark.django_db
def test_the_pages_hold_every_ranked_candidate_once_in_rank_order(owner_client, larger_search):
    state = owner_client.get(f"/api/searches/{larger_search.pk}/").json()
    rows, offset = list(state["leaderboard"]), 25
    while offset < state["leaderboard_total"]:
        page = owner_client.get(f"/api/searches/{larger_search.pk}/leaderboard/?offset={offset}").json()
        assert page["offset"] == offset and page["total"] == state["leaderboard_total"]
        rows += page["rows"]
        offset += page["size"]
    assert [r["rank"] for r in rows] == list(range(1, state["leaderboard_total"] + 1))
    assert len({r["id"] for r in rows}) == len(rows)
    fitness = [r["fitness"] for r in rows]
    assert fitness == sorted(fitness, reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("offset", ["-1", "two", ""])
def test_an_offset_that_is_not_a_whole_number_is_refused(owner_client, larger_search, offset):
    response = owner_client.get(f"/api/searches/{larger_search.pk}/leaderboard/?offset={offset}")
    assert response.status_code == 400 and "whole number" in response.json()["error"]
