from __future__ import annotations

import json

from searches.models import Entity, Search
from tests.processes import run_command, wait_until


def test_a_worker_killed_mid_training_and_restarted_trains_its_entity_again(workers, process_env, tmp_path):
    spec = {
        "name": "kill and restart",
        "objective": "synthetic",
        "seed": 5,
        "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
        "training": {"synthetic_delay": 3.0},
        "traits": [{"name": "x", "type": "float", "low": 0, "high": 1}],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    workers.start(1, preload_keras=False)
    queued = run_command(process_env, "runsearch", str(path), timeout=60)
    assert queued.returncode == 0, queued.stderr

    running = Entity.objects.filter(status=Entity.Status.RUNNING)
    assert wait_until(running.exists, timeout=60), workers.logs()
    cut_off = running.get()
    workers.kill("cpu0")  # SIGKILL, mid-training

    workers.start(1, preload_keras=False)  # the same worker, cpu0, comes back
    search = Search.objects.get()
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=90), workers.logs()
    cut_off.refresh_from_db()
    assert cut_off.status == Entity.Status.DONE and cut_off.attempts == 2
    assert not Entity.objects.filter(search=search, status__in=Entity.PENDING).exists()
