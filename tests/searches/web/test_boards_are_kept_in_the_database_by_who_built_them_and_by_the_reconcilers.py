"""Who writes a search's board to the database, and when: a web process that had to build it, once;
each machine's reconciler, about once a minute while the search runs (one machine at a time),
and once more, exact, when it has ended."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from searches import services
from searches.live import cache as state_cache
from searches.live import snapshot
from searches.models import BoardSnapshot, Entity, Search
from tests.simulate import simulated_search


@pytest.fixture(autouse=True)
def _nothing_kept_in_this_process():
    state_cache.forget_all()
    cache.clear()
    yield
    state_cache.forget_all()


def _one_more_ends(search: Search) -> None:
    pk = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).values_list("pk", flat=True).first()
    services.entity_claim(entity_id=pk, worker="gpu0@here")
    services.entity_record_result(entity_id=pk, accuracy=0.5, parameter_count=1000, train_seconds=1.0)


def _kept(search: Search) -> BoardSnapshot:
    return BoardSnapshot.objects.get(search=search)


@pytest.mark.django_db
def test_a_web_process_writes_the_board_it_built_and_leaves_the_rest_to_the_reconcilers(owner_client, monkeypatch):
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)
    search = simulated_search(entities=200, last_generation_queued=True)
    assert not BoardSnapshot.objects.filter(search=search).exists()
    owner_client.get(f"/api/searches/{search.pk}/")
    assert (_kept(search).points, _kept(search).status) == (100, "running")
    _one_more_ends(search)
    owner_client.get(f"/api/searches/{search.pk}/")  # caught up, not written again
    assert _kept(search).points == 100
    services.search_cancel(search_id=search.pk)
    state = owner_client.get(f"/api/searches/{search.pk}/").json()  # built afresh, exact, and written
    assert (_kept(search).points, _kept(search).status) == (state["progress"]["ended"], "cancelled")


@pytest.mark.django_db
def test_the_reconcilers_keep_a_running_search_s_board_once_a_minute_one_machine_at_a_time():
    search = simulated_search(entities=200, last_generation_queued=True)
    assert state_cache.keep_boards() == 1
    assert _kept(search).points == 100
    _one_more_ends(search)
    assert state_cache.keep_boards() == 0  # another machine's pass, within the minute: not due
    BoardSnapshot.objects.filter(search=search).update(taken_at=timezone.now() - timedelta(seconds=61))
    assert state_cache.keep_boards() == 1
    assert _kept(search).points == 101


@pytest.mark.django_db
def test_an_ended_search_s_board_is_kept_once_exact_and_an_old_one_s_not_at_all():
    search = simulated_search(entities=200, last_generation_queued=True)
    assert state_cache.keep_boards() == 1
    services.search_cancel(search_id=search.pk)
    assert state_cache.keep_boards() == 1  # at the next pass, though the last was written just now
    assert _kept(search).status == "cancelled"
    BoardSnapshot.objects.filter(search=search).update(taken_at=timezone.now() - timedelta(days=1))
    assert state_cache.keep_boards() == 0  # exact already
    old = simulated_search(entities=100)
    Search.objects.filter(pk=old.pk).update(status="completed", finished_at=timezone.now() - timedelta(hours=2))
    assert state_cache.keep_boards() == 0
    assert not BoardSnapshot.objects.filter(search=old).exists()


@pytest.mark.django_db
def test_a_claim_is_won_by_one_machine_and_taken_over_when_it_went_silent():
    search = simulated_search(entities=100)
    assert snapshot.claim(search)
    assert not snapshot.claim(search)  # the other machine
    assert snapshot.load(search) is None  # claimed, not written yet
    a_minute_ago = timezone.now() - timedelta(seconds=61)
    BoardSnapshot.objects.filter(search=search).update(taken_at=a_minute_ago)
    assert not snapshot.claim(search)  # due, but the first machine is at it
    BoardSnapshot.objects.filter(search=search).update(claimed_at=a_minute_ago)
    assert snapshot.claim(search)  # the first died before writing


@pytest.mark.django_db
def test_a_damaged_board_is_built_afresh_and_the_dashboard_answers(owner_client, caplog):
    search = simulated_search(entities=100)
    whole = owner_client.get(f"/api/searches/{search.pk}/").json()
    BoardSnapshot.objects.filter(search=search).update(data=b"not a board")
    state_cache.forget_all()
    cache.clear()
    with caplog.at_level(logging.ERROR, logger="gaweb.dashboard"):
        state = owner_client.get(f"/api/searches/{search.pk}/").json()
    assert "could not be read" in caplog.text
    assert state["leaderboard"] == whole["leaderboard"] and state["generations"] == whole["generations"]
    assert snapshot.load(search) is not None  # written again, readable


@pytest.mark.django_db
def test_a_web_process_writes_again_once_the_board_grew_by_a_tenth_where_no_reconciler_runs(owner_client, monkeypatch):
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)
    monkeypatch.setattr(snapshot, "GROWN", 5)
    search = simulated_search(entities=200, last_generation_queued=True)
    owner_client.get(f"/api/searches/{search.pk}/")
    for _ in range(9):
        _one_more_ends(search)
    owner_client.get(f"/api/searches/{search.pk}/")
    assert _kept(search).points == 100  # 9 more: less than a tenth
    _one_more_ends(search)
    owner_client.get(f"/api/searches/{search.pk}/")
    assert _kept(search).points == 110


@pytest.mark.django_db
def test_a_search_that_ended_is_read_back_exact_where_a_reconciler_kept_it(owner_client, monkeypatch, rows_read):
    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)
    search = simulated_search(entities=3000, last_generation_queued=True)
    owner_client.get(f"/api/searches/{search.pk}/")  # this process watched it run
    services.search_cancel(search_id=search.pk)
    assert state_cache.keep_boards() == 1  # another machine's reconciler kept its exact board
    rows_read.count = 0
    state = owner_client.get(f"/api/searches/{search.pk}/").json()
    assert rows_read.count < 500, f"{rows_read.count} rows read: built again rather than read back"
    assert state["search"]["status"] == "cancelled" and state["progress"]["cancelled"] == 100


@pytest.mark.django_db
def test_a_board_read_back_that_cannot_be_caught_up_is_built_afresh(owner_client, monkeypatch, caplog):
    search = simulated_search(entities=100)
    whole = owner_client.get(f"/api/searches/{search.pk}/").json()
    state_cache.forget_all()
    cache.clear()
    decoded = snapshot._decoded

    def broken(raw):
        board = decoded(raw)
        board.newest_end = "not a time"  # as a board of another meaning than this code's would be
        return board

    monkeypatch.setattr(snapshot, "_decoded", broken)
    with caplog.at_level(logging.ERROR, logger="gaweb.dashboard"):
        state = owner_client.get(f"/api/searches/{search.pk}/").json()
    assert "could not be caught up; building it afresh" in caplog.text
    assert state["leaderboard"] == whole["leaderboard"]
