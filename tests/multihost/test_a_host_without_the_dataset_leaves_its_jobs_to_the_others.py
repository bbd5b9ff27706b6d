"""A host that was never given a search's dataset hands its jobs to the hosts that have it, takes
no more of them, and says so in its log and on the dashboard; a search that no host can train
fails, naming every host with what it found."""

from __future__ import annotations

from .cluster import Cluster
from .conftest import FAST
from .test_three_hosts_share_a_search import _client, _entities, _spec, _wait


def _folder_dataset(root) -> str:
    for name in ("cats", "dogs"):
        (root / "pets" / name).mkdir(parents=True, exist_ok=True)
    return f"folder:{root / 'pets'}"


def test_a_search_no_host_can_train_fails_naming_every_host(cluster: Cluster):
    client = _client(cluster)
    # The web server accepts the folder; no worker host may read it (outside their data roots).
    spec = _spec("nowhere", population=6, generations=2, delay=0.5) | {"dataset": _folder_dataset(cluster.web_only_dir)}
    search_id = client.create_search(spec)
    _wait(lambda: client.state(search_id)["search"]["status"] == "failed", timeout=120, what="the search to fail")
    error = client.state(search_id)["search"]["error"]
    assert error.startswith("no machine can train this search: gpuhost1: ")
    for host in ("gpuhost1", "gpuhost2", "gpuhost3"):
        assert f"{host}: {spec['dataset'][len('folder:') :]} is outside the allowed data roots" in error
    rows = cluster.query("select status, attempts - handbacks from searches_entity where search_id = %s", search_id)
    assert {status for status, _ in rows} == {"cancelled"} and {trained for _, trained in rows} == {0}  # none trained


def test_a_host_without_the_dataset_leaves_its_jobs_to_the_hosts_that_have_it(cluster: Cluster):
    without = cluster.hosts[2]
    cluster.stop_workers(without)
    cluster.start_workers(without, env=FAST, hide=cluster.data_dir)
    try:
        client = _client(cluster)
        spec = _spec("two of three", population=12, generations=2, delay=0.5) | {
            "dataset": _folder_dataset(cluster.data_dir), "seed": 13,
        }  # fmt: skip
        search_id = client.create_search(spec)
        _wait(lambda: client.state(search_id)["search"]["status"] == "completed", timeout=240, what="the search")
        rows = _entities(cluster, search_id)
        assert len(rows) == 24 and {status for _, status, *_ in rows} == {"done"}
        assert len({genome for *_, genome in rows}) == 24
        assert {worker.split("@")[1] for *_, worker, _ in rows} == {"gpuhost1", "gpuhost2"}
        # None trained twice: one attempt each, besides the claims handed back untrained.
        tries = cluster.query(
            "select attempts - handbacks, handbacks from searches_entity where search_id = %s and status = 'done'",
            search_id,
        )
        assert {trained for trained, _ in tries} == {1} and sum(handed for _, handed in tries) >= 1

        # It said so: on the dashboard's workers panel, and in its log.
        (unable,) = client.state(search_id)["unable_hosts"]
        assert unable["host"] == without.hostname and "does not exist on this worker" in unable["reason"]
        logs = "".join(f.read_text() for f in (without.var_dir / "logs").glob("*.log"))
        assert f"{without.hostname} cannot train search #{search_id}, so it takes none of its candidates" in logs
    finally:
        cluster.stop_workers(without)
        cluster.start_workers(without, env=FAST)
