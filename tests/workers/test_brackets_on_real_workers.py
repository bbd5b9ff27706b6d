"""Successive halving by brackets on real Celery workers: several workers pausing the last
candidates of a rung at once promote it exactly once, and a promoted training killed midway is
taken up again from the weights its candidate paused with (stored in the database, so any machine
could), losing nothing it had trained before its rung."""

from __future__ import annotations

import json
import math

import pytest

from searches.models import Checkpoint, Entity, EpochResult, Search
from tests.processes import run_command, wait_until

TRAITS = [
    {"name": "x", "type": "float", "low": 0, "high": 1},
    {"name": "y", "type": "float", "low": 0, "high": 1},
]


def _queue(process_env, tmp_path, spec: dict) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    assert run_command(process_env, "runsearch", str(path), timeout=60).returncode == 0


@pytest.mark.concurrency
def test_four_workers_promote_each_rung_of_each_generation_once(workers, process_env, tmp_path):
    spec = {
        "name": "brackets on four workers", "objective": "synthetic", "seed": 5,
        "ga": {"population": 12, "generations": 3, "elite_previous": 4, "elite_all_time": 4, "immigrants": 0},
        "training": {"epochs": 9, "synthetic_delay": 0.3,
                     "early_stopping": {"rule": "successive_halving", "reduction": 3, "promotion": "bracket"}},
        "traits": TRAITS,
    }  # fmt: skip
    workers.start(4, preload_keras=False)
    _queue(process_env, tmp_path, spec)
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=240), workers.logs()
    search = Search.objects.get()
    for generation in search.generation_set.all():
        ended = list(generation.entities.exclude(status=Entity.Status.PARENT_ONLY))
        reached = [sum(e.epochs >= rung for e in ended) for rung in (1, 3, 9)]
        assert reached == [12, math.ceil(12 / 3), math.ceil(4 / 3)], reached  # 12, 4, 2
        # Each promotion is one claim more, never a retry: 4 promoted at rung 1, then 2 of them at rung 3.
        assert sum(e.promotions for e in ended) == 4 + 2
        assert all(e.attempts == 1 + e.promotions for e in ended)
        assert {e.status for e in ended} == {Entity.Status.DONE, Entity.Status.STOPPED}
    assert not Checkpoint.objects.exists()


def test_a_promoted_training_killed_midway_goes_on_from_its_rung(workers, process_env, tmp_path):
    spec = {
        "name": "a killed promotion", "dataset": "digits", "objective": "keras", "seed": 2,
        "ga": {"population": 3, "generations": 1, "elite_previous": 2, "elite_all_time": 2, "immigrants": 0},
        # One rung, at epoch 1 (the next would be 10): the one promoted then trains 7 epochs on.
        "training": {"epochs": 8, "max_train_samples": 600,
                     "early_stopping": {"rule": "successive_halving", "reduction": 10, "promotion": "bracket"}},
        "traits": [{"name": "learning_rate", "type": "geometric_float", "low": 0.001, "high": 0.01}],
    }  # fmt: skip
    process_env["GAWEB_STALE_AFTER_SECONDS"] = "600"  # the worker's own restart takes it up, not a timeout
    workers.start(1)
    _queue(process_env, tmp_path, spec)
    # The rung at epoch 1: all three pause, one is promoted; kill its training past its next epoch.
    promoted = Entity.objects.filter(status=Entity.Status.RUNNING, promotions=1, epoch_results__epoch=2)
    assert wait_until(promoted.exists, timeout=300), workers.logs()
    entity = promoted.get()
    kept = Checkpoint.objects.get(entity=entity)
    assert kept.epoch == 1 and kept.data[:2] == b"PK"  # a .keras file (a zip) of the network at its rung
    first_epoch = EpochResult.objects.get(entity=entity, epoch=1).val_accuracy
    workers.kill_training_process("cpu0")
    assert wait_until(lambda: Search.objects.get().status == Search.Status.COMPLETED, timeout=300), workers.logs()

    entity.refresh_from_db()
    assert entity.status == Entity.Status.DONE, entity.error
    assert (entity.attempts, entity.promotions) == (3, 1)  # its first life, its promotion, and once after the kill
    assert [row["epoch"] for row in entity.history] == list(range(1, entity.epochs + 1))
    assert entity.history[0]["val_accuracy"] == pytest.approx(first_epoch)  # its rung's epoch, not trained again
    assert EpochResult.objects.get(entity=entity, epoch=1).val_accuracy == pytest.approx(first_epoch)
    assert not Checkpoint.objects.exists()
    # Taken up from its rung twice (promoted, then after the kill), never trained from epoch 1 again.
    taken_up = f"entity #{entity.pk} goes on from its rung at epoch 1"
    assert (tmp_path / "cpu0.log").read_text().count(taken_up) == 2, workers.logs()
