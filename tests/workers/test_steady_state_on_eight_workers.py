"""Steady-state mode through real workers: eight processes race, nothing is lost or doubled."""

from __future__ import annotations

import json

import pytest

from searches.models import Entity, Generation, Search
from tests.processes import run_command, wait_until

POPULATION, GENERATIONS = 8, 20


@pytest.mark.concurrency
def test_eight_workers_in_steady_state_train_the_budget_exactly_once_each(workers, process_env, tmp_path):
    spec = {
        "name": "steady stress",
        "objective": "synthetic",
        "seed": 14,
        "ga": {"population": POPULATION, "generations": GENERATIONS, "elite_previous": 4, "elite_all_time": 4,
               "mode": "steady_state"},
        "training": {"synthetic_delay": 0.01, "synthetic_delay_cv": 0.5},
        "traits": [{"name": n, "type": "float", "low": 0, "high": 1} for n in ("x", "y")],
    }  # fmt: skip
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    workers.start(8, preload_keras=False)
    queued = run_command(process_env, "runsearch", str(path), timeout=120)
    assert queued.returncode == 0, queued.stderr
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=400, interval=1), (
        workers.logs()
    )

    search = Search.objects.get()
    assert search.births == POPULATION * GENERATIONS
    candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == POPULATION * GENERATIONS
    assert set(candidates.values_list("status", flat=True)) == {Entity.Status.DONE}
    assert set(candidates.values_list("attempts", flat=True)) == {1}  # none recorded twice
    assert candidates.values("genome_hash").distinct().count() == POPULATION * GENERATIONS
    assert candidates.filter(bred=True).count() >= POPULATION * GENERATIONS - 9  # each end was answered
    numbers = Generation.objects.filter(search=search).order_by("number").values_list("number", flat=True)
    assert list(numbers) == list(range(GENERATIONS))
    assert len(set(candidates.values_list("worker", flat=True))) >= 4
