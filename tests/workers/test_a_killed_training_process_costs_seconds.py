"""A training process killed mid-candidate costs seconds, not the stale-heartbeat timeout."""

from __future__ import annotations

import json

from searches.models import Entity, Search
from tests.processes import children_of, run_command, wait_until

# Far longer than the test may take: only taking the entity up at once can pass it.
STALE_AFTER_SECONDS = 600


def test_the_workers_next_training_process_takes_up_the_cut_off_entity_at_once(workers, process_env, tmp_path):
    process_env["GAWEB_STALE_AFTER_SECONDS"] = str(STALE_AFTER_SECONDS)
    spec = {
        "name": "kill the training process",
        "objective": "synthetic",
        "seed": 5,
        "ga": {"population": 2, "generations": 2, "elite_previous": 1, "elite_all_time": 1},
        "training": {"synthetic_delay": 2.0},
        "traits": [{"name": "x", "type": "float", "low": 0, "high": 1}],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    workers.start(1, preload_keras=False)
    assert wait_until(lambda: children_of(workers.processes["cpu0"].pid), timeout=60), workers.logs()
    assert run_command(process_env, "runsearch", str(path), timeout=60).returncode == 0

    running = Entity.objects.filter(status=Entity.Status.RUNNING)
    assert wait_until(running.exists, timeout=60), workers.logs()
    cut_off = running.get()
    killed = workers.kill_training_process("cpu0")  # SIGKILL mid-training; the worker starts a new one

    # Three more entities of 2 s and a new training process: well under a minute, where waiting
    # for the stale heartbeat would take ten.
    completed = wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=60)
    assert completed, workers.logs()
    assert killed not in children_of(workers.processes["cpu0"].pid)
    cut_off.refresh_from_db()
    assert cut_off.status == Entity.Status.DONE and cut_off.attempts == 2
    assert not Entity.objects.filter(status__in=Entity.PENDING).exists()
