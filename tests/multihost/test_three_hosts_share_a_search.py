"""Worker hosts on other (namespaced) machines train one search through main's PostgreSQL and
Redis: nothing lost, nothing trained twice; a host cut off mid-training is replaced, its late
result refused, and it rejoins."""

from __future__ import annotations

import time

from .cluster import Cluster, WebClient

TRAITS = [
    {"name": "units", "type": "geometric_int", "low": 8, "high": 256, "step": 2},
    {"name": "rate", "type": "geometric_float", "low": 0.0001, "high": 0.1},
    {"name": "optimizer", "type": "choice", "choices": ["sgd", "adam", "rmsprop"]},
]


def _spec(name: str, *, population: int, generations: int, delay: float) -> dict:
    return {
        "name": name, "objective": "synthetic", "dataset": "digits", "seed": 5, "traits": TRAITS,
        "ga": {"population": population, "generations": generations, "elite_previous": 3, "elite_all_time": 3},
        "training": {"synthetic_delay": delay},
    }  # fmt: skip


def _wait(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _client(cluster: Cluster) -> WebClient:
    made = cluster.manage(
        "shell", "-c",
        "from django.contrib.auth import get_user_model as g; "
        "g().objects.filter(username='ada').exists() or g().objects.create_user('ada', password='correct-horse-9')",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-2000:]
    client = WebClient(cluster.web_url)
    client.sign_in("ada", "correct-horse-9")
    return client


def _entities(cluster: Cluster, search_id: int) -> list[tuple]:
    return cluster.query(
        "select id, status, attempts, worker, genome_hash from searches_entity"
        " where search_id = %s and status <> 'parent_only'",  # immigrants are parents, never trained
        search_id,
    )


def test_three_hosts_train_a_search_with_nothing_lost_or_trained_twice(cluster):
    client = _client(cluster)
    search_id = client.create_search(_spec("three hosts", population=12, generations=3, delay=0.5))
    _wait(lambda: client.state(search_id)["search"]["status"] == "completed", timeout=240, what="the search")
    rows = _entities(cluster, search_id)
    assert len(rows) == 36 and {status for _, status, *_ in rows} == {"done"}
    assert {attempts for _, _, attempts, *_ in rows} == {1}  # none trained twice
    assert len({genome for *_, genome in rows}) == 36  # nor a genome twice ("rebreed")
    hosts = {worker.split("@")[1] for *_, worker, _ in rows}
    assert hosts == {"gpuhost1", "gpuhost2", "gpuhost3"}


def test_a_host_cut_off_mid_training_is_replaced_its_late_result_refused_and_it_rejoins(cluster):
    client = _client(cluster)
    host = cluster.hosts[0]
    search_id = client.create_search(_spec("cut off", population=6, generations=2, delay=12.0))
    held = _wait(
        lambda: cluster.query(
            "select id, attempts from searches_entity where search_id = %s and status = 'running' and worker like %s",
            search_id, f"%@{host.hostname}",
        ),
        timeout=120, what=f"{host.hostname} to take an entity",
    )[0]  # fmt: skip
    cluster.set_link(host, up=False)
    try:
        # Silent past the stale timeout (8 s here), its entity is given to another host.
        _wait(
            lambda: cluster.query("select 1 from searches_entity where id = %s and attempts > %s", held[0], held[1]),
            timeout=90, what="the cut-off host's entity to be taken up again",
        )  # fmt: skip
        _wait(lambda: client.state(search_id)["search"]["status"] == "completed", timeout=240, what="the search")
    finally:
        cluster.set_link(host, up=True)
    entity = cluster.query("select status, attempts, worker from searches_entity where id = %s", held[0])[0]
    assert entity[0] == "done" and entity[1] == held[1] + 1 and not entity[2].endswith(host.hostname)
    rows = _entities(cluster, search_id)
    assert len(rows) == 12 and {status for _, status, *_ in rows} == {"done"}

    # Back on its link, the host finishes its old attempt: the result is refused, not recorded.
    log = host.var_dir / "logs"
    _wait(
        lambda: any("no longer holds its claim" in f.read_text() for f in log.glob("*.log")),
        timeout=120, what="the late result to be refused",
    )  # fmt: skip
    assert cluster.query("select status, attempts, worker from searches_entity where id = %s", held[0])[0] == entity

    # And it rejoins: it trains for the next search.
    again = client.create_search(_spec("after", population=12, generations=2, delay=0.5) | {"seed": 9})
    _wait(lambda: client.state(again)["search"]["status"] == "completed", timeout=240, what="the next search")
    workers = {worker for *_, worker, _ in _entities(cluster, again)}
    assert any(worker.endswith(host.hostname) for worker in workers)
