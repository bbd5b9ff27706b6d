from __future__ import annotations

import json

import pytest

from searches.models import Entity, Generation, Search
from tests.processes import run_command

GENERATIONS = 5


@pytest.mark.concurrency
def test_three_workers_finish_a_search_with_each_generation_bred_once(workers, process_env, tmp_path):
    spec = {
        "name": "three workers",
        "objective": "synthetic",
        "seed": 4,
        "ga": {"population": 9, "generations": GENERATIONS, "elite_previous": 4, "elite_all_time": 4},
        "training": {"synthetic_delay": 0.05},
        "traits": [
            {"name": "x", "type": "float", "low": 0, "high": 1},
            {"name": "y", "type": "float", "low": 0, "high": 1},
        ],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    workers.start(3, preload_keras=False)
    finished = run_command(process_env, "runsearch", str(path), "--wait", timeout=300)
    assert finished.returncode == 0, finished.stderr + workers.logs()

    search = Search.objects.get()
    assert search.status == Search.Status.COMPLETED
    numbers = Generation.objects.filter(search=search).order_by("number").values_list("number", flat=True)
    assert list(numbers) == list(range(GENERATIONS))
    candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == 9 * GENERATIONS
    assert not candidates.filter(status__in=Entity.PENDING).exists()
    trained = candidates.filter(status=Entity.Status.DONE)
    assert set(trained.values_list("attempts", flat=True)) == {1}
    assert len(set(trained.values_list("worker", flat=True))) >= 2
