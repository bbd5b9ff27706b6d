"""Hosts whose clocks are ten minutes off (one fast, one slow: libfaketime's ``faketime``) train
beside a correct one. Heartbeats and timeouts use the database's clock: no entity is taken for
silent and trained again, and every time the dashboard shows is the database's."""

from __future__ import annotations

import shutil

import pytest

from .conftest import FAST
from .test_three_hosts_share_a_search import _client, _spec, _wait


def _restart(cluster, host, wrapper=()):
    cluster.stop_workers(host)
    cluster.start_workers(host, env=FAST, wrapper=wrapper)


def test_hosts_ten_minutes_fast_or_slow_cause_no_false_requeue_and_no_wrong_timing(cluster):
    if shutil.which("faketime") is None:
        pytest.fail("this test needs libfaketime's faketime: sudo apt-get install faketime (make test installs it)")
    fast, slow = cluster.hosts[1], cluster.hosts[2]
    try:
        _restart(cluster, fast, ("faketime", "-f", "+10m"))
        _restart(cluster, slow, ("faketime", "-f", "-10m"))
        client = _client(cluster)
        # Each candidate takes 3 s: well within the stale timeout (8 s) by any correct clock, and
        # 10 minutes beyond it by a wrong one.
        search_id = client.create_search(_spec("wrong clocks", population=9, generations=2, delay=3.0) | {"seed": 11})
        _wait(lambda: client.state(search_id)["search"]["status"] == "completed", timeout=240, what="the search")
        rows = cluster.query(
            "select attempts, worker, extract(epoch from finished_at - started_at), extract(epoch from heartbeat_at"
            " - started_at) from searches_entity where search_id = %s and status = 'done'",
            search_id,
        )
        assert len(rows) == 18
        assert {attempts for attempts, *_ in rows} == {1}  # none taken for silent, none trained twice
        assert {worker.split("@")[1] for _, worker, *_ in rows} >= {fast.hostname, slow.hostname}
        assert all(2.5 < float(seconds) < 60 for _, _, seconds, _ in rows)  # the database's own durations
        state = client.state(search_id)
        assert 0 < state["search"]["elapsed_seconds"] < 600
    finally:
        _restart(cluster, fast)
        _restart(cluster, slow)
