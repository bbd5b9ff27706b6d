"""A final training whose process is killed mid-way is trained again and recorded once, like any candidate."""

from __future__ import annotations

import json

from searches.models import Entity, FinalModel, Search
from tests.processes import children_of, run_command, wait_until

SPEC = {
    "name": "final training on a worker", "dataset": "digits", "objective": "keras", "seed": 8,
    "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
    "training": {"epochs": 1, "max_train_samples": 300},
    # Enough epochs that the kill lands mid-training, on a few hundred images to stay quick.
    "final": {"top_k": 1, "epochs": 30, "max_train_samples": 600, "include_baseline": False},
    "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 16, "step": 2}],
}  # fmt: skip


def test_a_final_training_killed_mid_way_is_trained_again_and_recorded_once(workers, process_env, tmp_path):
    process_env["GAWEB_STALE_AFTER_SECONDS"] = "600"  # only taking it up at once can pass in time
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC))
    workers.start(1)
    assert wait_until(lambda: children_of(workers.processes["cpu0"].pid), timeout=120), workers.logs()
    assert run_command(process_env, "runsearch", str(path), timeout=60).returncode == 0
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=180), workers.logs()
    search = Search.objects.get()
    assert run_command(process_env, "trainfinal", str(search.pk), timeout=60).returncode == 0

    finals = Entity.objects.filter(origin=Entity.Origin.FINAL)
    # Killed once its first epochs are in (a final training reports its curve live too).
    training = finals.filter(status=Entity.Status.RUNNING)
    assert wait_until(lambda: any(entity.history for entity in training.all()), timeout=120), workers.logs()
    workers.kill_training_process("cpu0")

    final = finals.get()
    assert wait_until(lambda: Entity.objects.get(pk=final.pk).status == Entity.Status.DONE, timeout=180), workers.logs()
    final.refresh_from_db()
    assert final.attempts == 2 and final.epochs == 30 and 0 <= final.test_accuracy <= 1
    assert FinalModel.objects.filter(entity=final).count() == 1
    search.refresh_from_db()
    assert search.status == Search.Status.COMPLETED
