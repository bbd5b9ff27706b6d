"""Early stopping through a real worker: partial curves stored, and a kill mid-way loses nothing."""

from __future__ import annotations

import json

from searches.models import Entity, EpochResult, Search
from tests.processes import children_of, run_command, wait_until

SPEC = {
    "name": "halving on a worker",
    "objective": "synthetic",
    "seed": 6,
    "ga": {"population": 6, "generations": 2, "elite_previous": 3, "elite_all_time": 3},
    "training": {"epochs": 9, "synthetic_delay": 0.9, "early_stopping": {"rule": "successive_halving", "reduction": 3}},
    "traits": [
        {"name": "x", "type": "float", "low": 0, "high": 1},
        {"name": "y", "type": "float", "low": 0, "high": 1},
    ],
}


def _queue(process_env, tmp_path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC))
    assert run_command(process_env, "runsearch", str(path), timeout=60).returncode == 0


def test_a_stopped_candidate_keeps_its_partial_curve(workers, process_env, tmp_path):
    workers.start(1, preload_keras=False)
    _queue(process_env, tmp_path)
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=120), workers.logs()
    stopped = Entity.objects.filter(status=Entity.Status.STOPPED)
    assert stopped.exists()
    for entity in stopped:
        assert entity.epochs in (1, 3) and [row["epoch"] for row in entity.history] == list(range(1, entity.epochs + 1))
        assert EpochResult.objects.filter(entity=entity).count() == entity.epochs


def test_a_training_process_killed_while_candidates_stop_early_loses_nothing(workers, process_env, tmp_path):
    process_env["GAWEB_STALE_AFTER_SECONDS"] = "600"
    workers.start(1, preload_keras=False)
    assert wait_until(lambda: children_of(workers.processes["cpu0"].pid), timeout=60)
    _queue(process_env, tmp_path)
    # Kill it once a candidate is past its first epoch (its curve is live in the database).
    past_its_first_epoch = Entity.objects.filter(status=Entity.Status.RUNNING, epoch_results__isnull=False)
    assert wait_until(past_its_first_epoch.exists, timeout=60), workers.logs()
    cut_off = Entity.objects.get(status=Entity.Status.RUNNING)
    workers.kill_training_process("cpu0")
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=120), workers.logs()
    cut_off.refresh_from_db()
    assert cut_off.attempts == 2 and cut_off.status in (Entity.Status.DONE, Entity.Status.STOPPED)
    assert [row["epoch"] for row in cut_off.history] == list(range(1, cut_off.epochs + 1))  # its second life only
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == 12 and not candidates.filter(status__in=Entity.PENDING).exists()
