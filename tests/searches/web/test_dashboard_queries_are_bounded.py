from __future__ import annotations

import pytest
from django.urls import reverse

from searches.live import cache as state_cache
from searches.live import state as live_state
from tests.simulate import simulated_search

# The state endpoint runs a fixed handful of queries whatever the number of entities (sign-in 2,
# the search, its version 2, what ended since, what runs, what waits, the final results, the
# machines that cannot train it).
MAX_QUERIES = 10


@pytest.mark.django_db
@pytest.mark.parametrize("entities", [100, 1000])
def test_the_dashboard_state_needs_a_bounded_number_of_queries(owner_client, django_assert_max_num_queries, entities):
    search = simulated_search(entities=entities)
    with django_assert_max_num_queries(MAX_QUERIES):
        state = owner_client.get(f"/api/searches/{search.pk}/").json()
    assert len(state["points"]["id"]) == entities


@pytest.mark.django_db
def test_the_unchanged_answer_looks_at_the_version_in_fewer_queries(
    owner_client, django_assert_max_num_queries, monkeypatch
):
    # Every request looks at the version (no answer is a second old), so this measures state_version.
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)
    search = simulated_search(entities=1000)
    version = owner_client.get(f"/api/searches/{search.pk}/").json()["version"]
    with django_assert_max_num_queries(5) as looked:  # sign-in 2, the search, its version 2
        assert owner_client.get(f"/api/searches/{search.pk}/?version={version}").json()["unchanged"]
    assert any("COUNT" in query["sql"].upper() for query in looked.captured_queries), "the version was not computed"


@pytest.mark.django_db
def test_the_list_and_dashboard_pages_need_a_bounded_number_of_queries(owner_client, django_assert_max_num_queries):
    search = simulated_search(entities=1000)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert owner_client.get(reverse("searches:list")).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert owner_client.get(reverse("searches:detail", args=[search.pk])).status_code == 200


@pytest.mark.django_db
def test_a_leaderboard_page_reads_from_the_kept_board_not_a_new_one(
    owner_client, django_assert_max_num_queries, monkeypatch
):
    search = simulated_search(entities=2000)
    owner_client.get(f"/api/searches/{search.pk}/")  # the first look keeps the board
    kept = state_cache._board(state_cache._key(search))
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)  # even when the version is looked at again
    built = []
    catch_up = live_state.board_catch_up
    monkeypatch.setattr(live_state, "board_catch_up", lambda s, board=None: built.append(board) or catch_up(s, board))
    with django_assert_max_num_queries(6):  # sign-in 2, the search, its version 2, the page's genomes
        page = owner_client.get(f"/api/searches/{search.pk}/leaderboard/?offset=25").json()
    assert page["offset"] == 25 and len(page["rows"]) == 25 and page["total"] > 25
    assert None not in built, "a board was built afresh, reading every candidate"
    assert state_cache._board(state_cache._key(search)) is kept
