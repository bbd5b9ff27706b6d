"""Main's PostgreSQL, then its Redis, restarted while three hosts train: the search completes,
every candidate trained once, none lost."""

from __future__ import annotations

import time

from .test_three_hosts_share_a_search import _client, _entities, _spec, _wait


def test_the_search_completes_through_a_redis_and_a_postgresql_restart(cluster):
    client = _client(cluster)
    search_id = client.create_search(_spec("restarts", population=12, generations=3, delay=1.0) | {"seed": 13})
    done = "select count(*) from searches_entity where search_id = %s and status = 'done'"
    _wait(lambda: cluster.query(done, search_id)[0][0] >= 4, timeout=120, what="the first results")
    cluster.restart_postgres()  # every connection is cut: workers, reconcilers and the web server open new ones
    _wait(lambda: cluster.query(done, search_id)[0][0] >= 16, timeout=180, what="training to go on after PostgreSQL")
    time.sleep(2)
    # Every queued job is lost with Redis: only the hosts' reconcilers, on their new database
    # connections, can send them again.
    cluster.restart_redis()
    _wait(lambda: client.state(search_id)["search"]["status"] == "completed", timeout=300, what="the search")
    rows = _entities(cluster, search_id)
    assert len(rows) == 36 and {status for _, status, *_ in rows} == {"done"}
    assert len({genome for *_, genome in rows}) == 36
