"""The dashboard's state is built once per version for every client, with a bounded set of locks."""

from __future__ import annotations

import threading

import pytest

from searches.live import cache as state_cache
from searches.live import state as live_state
from tests.simulate import simulated_search


@pytest.mark.django_db(transaction=True)
def test_many_clients_at_once_get_one_build(monkeypatch):
    search = simulated_search(entities=200)
    builds = []
    real_build = live_state.dashboard_state
    monkeypatch.setattr(live_state, "dashboard_state", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    versions = []
    clients = [
        threading.Thread(target=lambda: versions.append(state_cache.latest_state(search).version)) for _ in range(8)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert len(builds) == 1 and len(set(versions)) == 1 and len(versions) == 8


@pytest.mark.django_db
def test_viewing_many_searches_keeps_a_fixed_set_of_locks():
    searches = [simulated_search(entities=10) for _ in range(state_cache.LOCK_STRIPES + 6)]
    locks_before = state_cache._LOCKS
    for search in searches:
        state_cache.latest_state(search)
    assert state_cache._LOCKS is locks_before and len(locks_before) == state_cache.LOCK_STRIPES
    # The boards are the one table kept in the process, and it stays within its bound.
    assert len(state_cache._BOARDS) == state_cache.MAX_BOARDS
    module = vars(state_cache).items()
    tables = [name for name, value in module if isinstance(value, dict) and not name.startswith("__")]
    assert tables == ["_BOARDS"]
