"""Across real hosts: two have a user's training command registered and one does not. The search
names it, the hosts that have it train every candidate, and the one without it hands back what it
is given, saying why."""

from __future__ import annotations

import json
import sys

from tests.processes import ROOT

from .cluster import Cluster
from .conftest import FAST
from .test_three_hosts_share_a_search import _client, _entities, _wait

EXAMPLE = ROOT / "examples" / "objectives"


def test_only_the_hosts_with_the_objective_train_its_search(cluster: Cluster, tmp_path):
    objectives = tmp_path / "objectives.toml"  # the command alone: no TensorFlow on these hosts
    objectives.write_text(
        f'[logistic_command]\ncommand = ["{sys.executable}", "{EXAMPLE / "logistic_command.py"}", "{{genome}}"]\n'
        'traits = ["learning_rate", "l2", "features"]\n'
    )
    having, without = cluster.hosts[:2], cluster.hosts[2]
    for host in having:
        cluster.stop_workers(host)
        cluster.start_workers(host, env={**FAST, "GAWEB_OBJECTIVES_FILE": str(objectives)})
    try:
        offered = "select host from searches_objectiveoffer where name = %s"
        _wait(lambda: len(cluster.query(offered, "logistic_command")) == 2, timeout=120, what="the offers")
        client = _client(cluster)
        spec = json.loads((EXAMPLE / "logistic_command.json").read_text()) | {"seed": 21}
        spec["ga"] |= {"population": 9, "generations": 2}
        search_id = client.create_search(spec)
        _wait(lambda: client.state(search_id)["search"]["status"] == "completed", timeout=240, what="the search")
        rows = _entities(cluster, search_id)
        assert {status for _, status, *_ in rows} <= {"done", "stopped"} and len(rows) == 18
        assert {worker.split("@")[1] for *_, worker, _ in rows} <= {h.hostname for h in having}
        (unable,) = client.state(search_id)["unable_hosts"]  # it was given jobs too, and handed them back
        assert unable["host"] == without.hostname
        assert "the objective 'logistic_command' is not installed on this machine" in unable["reason"]
    finally:
        for host in having:
            cluster.stop_workers(host)
            cluster.start_workers(host, env=FAST)
