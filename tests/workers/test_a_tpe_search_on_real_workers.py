"""A search with Optuna's TPE as its strategy, run to the end by real workers through Redis."""

from __future__ import annotations

import json

from searches.models import Entity, Search
from tests.processes import run_command


def test_a_tpe_search_is_trained_to_the_end_by_two_workers(workers, process_env, tmp_path):
    spec = {
        "name": "tpe on workers",
        "objective": "synthetic",
        "seed": 12,
        "ga": {"population": 6, "generations": 4, "elite_previous": 3, "elite_all_time": 3, "strategy": "tpe"},
        "training": {"synthetic_delay": 0.05},
        "traits": [
            {"name": "x", "type": "float", "low": 0, "high": 1},
            {"name": "n", "type": "geometric_int", "low": 8, "high": 512, "step": 2},
            {"name": "o", "type": "choice", "choices": ["sgd", "adam"]},
        ],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    workers.start(2, preload_keras=False)
    finished = run_command(process_env, "runsearch", str(path), "--wait", timeout=300)
    assert finished.returncode == 0, finished.stderr + workers.logs()

    search = Search.objects.get()
    assert search.status == Search.Status.COMPLETED and search.spec["ga"]["strategy"] == "tpe"
    trained = Entity.objects.filter(search=search, status=Entity.Status.DONE)
    assert trained.count() == 24 and trained.values("genome_hash").distinct().count() == 24
    assert set(trained.exclude(generation__number=0).values_list("origin", flat=True)) == {"tpe"}
