from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from searches.live import cache as state_cache
from searches.live import dashboard
from searches.live import state as live_state
from searches.models import Entity
from tests.simulate import simulated_search

# The state endpoint runs a fixed handful of queries whatever the number of entities (sign-in 2,
# the search, its version 2, what ended since, what runs, what waits, the final results, the
# machines that cannot train it).
MAX_QUERIES = 10
# The first look also looks for the board kept in the database (``live.snapshot``), and the first
# look ever, which builds it, writes it there (an update, then an insert within a savepoint).
KEPT_BOARD_READ, KEPT_BOARD_WRITTEN = 1, 4
# And the rows they read: the first look ever reads each candidate once (its board is built from
# them); every other answer reads a handful of rows whatever the search's size.
FEW_ROWS = 10


@pytest.mark.django_db
@pytest.mark.parametrize("entities", [100, 1000])
def test_the_dashboard_state_needs_a_bounded_number_of_queries(
    owner_client, django_assert_max_num_queries, rows_read, entities
):
    search = simulated_search(entities=entities)
    rows_read.count = 0
    with django_assert_max_num_queries(MAX_QUERIES + KEPT_BOARD_READ + KEPT_BOARD_WRITTEN):
        state = owner_client.get(f"/api/searches/{search.pk}/").json()
    assert len(state["points"]["id"]) == entities
    assert rows_read.count <= entities + FEW_ROWS, f"{rows_read.count} rows read for {entities} candidates"


@pytest.mark.django_db
@pytest.mark.parametrize("entities", [100, 3000])
def test_a_process_that_never_saw_the_search_reads_its_kept_board_not_every_candidate(
    owner_client, django_assert_max_num_queries, rows_read, entities
):
    search = simulated_search(entities=entities)
    ended = list(Entity.objects.filter(search=search).order_by("id"))
    start = timezone.now() - timedelta(seconds=10 * len(ended))
    for number, entity in enumerate(ended):  # one every 10 s, as a search that ran
        entity.finished_at = start + timedelta(seconds=10 * number)
    Entity.objects.bulk_update(ended, ["finished_at"], batch_size=500)
    whole = owner_client.get(f"/api/searches/{search.pk}/").json()  # builds the board, and keeps it
    state_cache.forget_all()  # as a process that has never seen the search
    cache.clear()
    rows_read.count = 0
    # Where the board draws densities it keeps no genomes: the leaderboard's are read (one more query, 25 rows).
    with django_assert_max_num_queries(MAX_QUERIES + KEPT_BOARD_READ + 1):
        state = owner_client.get(f"/api/searches/{search.pk}/").json()
    # What ended shortly before the kept board's newest end is looked at again (ids alone), in case
    # one committed late: 12 at one end every 10 s.
    overlap = live_state.CATCH_UP_OVERLAP.total_seconds() // 10
    genomes = dashboard.LEADERBOARD_SIZE if state["aggregated"] else 0
    assert rows_read.count <= FEW_ROWS + overlap + genomes, f"{rows_read.count} rows read"
    assert state["base"]["token"] != whole["base"]["token"]  # a client's copy of the other board is not a prefix
    for part in ("generations", "histograms", "leaderboard", "progress", "density", "points", "importance"):
        assert state.get(part) == whole.get(part), part


@pytest.mark.django_db
def test_the_unchanged_answer_looks_at_the_version_in_fewer_queries(
    owner_client, django_assert_max_num_queries, monkeypatch, rows_read
):
    # Every request looks at the version (no answer is a second old), so this measures state_version.
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)
    search = simulated_search(entities=1000)
    version = owner_client.get(f"/api/searches/{search.pk}/").json()["version"]
    rows_read.count = 0
    with django_assert_max_num_queries(5) as looked:  # sign-in 2, the search, its version 2
        assert owner_client.get(f"/api/searches/{search.pk}/?version={version}").json()["unchanged"]
    assert any("COUNT" in query["sql"].upper() for query in looked.captured_queries), "the version was not computed"
    assert rows_read.count <= FEW_ROWS, f"{rows_read.count} rows read to say nothing changed"


@pytest.mark.django_db
def test_the_list_and_dashboard_pages_need_a_bounded_number_of_queries(
    owner_client, django_assert_max_num_queries, rows_read
):
    search = simulated_search(entities=1000)
    rows_read.count = 0
    with django_assert_max_num_queries(MAX_QUERIES):
        assert owner_client.get(reverse("searches:list")).status_code == 200
    assert rows_read.count <= FEW_ROWS, f"the list read {rows_read.count} rows for one search"
    rows_read.count = 0
    with django_assert_max_num_queries(MAX_QUERIES):
        assert owner_client.get(reverse("searches:detail", args=[search.pk])).status_code == 200
    assert rows_read.count <= FEW_ROWS, f"the dashboard page read {rows_read.count} rows (its data comes by the API)"


@pytest.mark.django_db
def test_a_leaderboard_page_reads_from_the_kept_board_not_a_new_one(
    owner_client, django_assert_max_num_queries, monkeypatch, rows_read
):
    search = simulated_search(entities=2000)
    owner_client.get(f"/api/searches/{search.pk}/")  # the first look keeps the board
    kept = state_cache._board(state_cache._key(search))
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)  # even when the version is looked at again
    built = []
    catch_up = live_state.board_catch_up
    monkeypatch.setattr(live_state, "board_catch_up", lambda s, board=None: built.append(board) or catch_up(s, board))
    rows_read.count = 0
    with django_assert_max_num_queries(6):  # sign-in 2, the search, its version 2, the page's genomes
        page = owner_client.get(f"/api/searches/{search.pk}/leaderboard/?offset=25").json()
    assert rows_read.count <= len(page["rows"]) + FEW_ROWS, f"{rows_read.count} rows read for a page of 25"
    assert page["offset"] == 25 and len(page["rows"]) == 25 and page["total"] > 25
    assert None not in built, "a board was built afresh, reading every candidate"
    assert state_cache._board(state_cache._key(search)) is kept


@pytest.mark.django_db
def test_the_row_counter_sees_every_row_a_query_reads(rows_read):
    from searches.models import Entity

    search = simulated_search(entities=300)
    rows_read.count = 0
    assert len(list(Entity.objects.filter(search=search).values_list("pk", flat=True))) == 300
    assert rows_read.count == 300
    rows_read.count = 0
    Entity.objects.filter(search=search).first()
    assert rows_read.count == 1
