"""A digits search trained by a real worker through Redis; on the way its training process grows
past GAWEB_WORKER_MEMORY_GROWTH and is replaced, and nothing is lost or trained twice."""

from __future__ import annotations

import json

import pytest

from searches.models import Entity, Search
from tests.processes import run_command

SPEC = {
    "name": "digits end to end",
    "dataset": "digits",
    "objective": "keras",
    "seed": 3,
    "ga": {"population": 4, "generations": 2, "elite_previous": 2, "elite_all_time": 2, "immigrants": 1},
    "training": {"epochs": 1, "max_train_samples": 300},
    "traits": [
        {"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 32, "step": 2},
        {"name": "learning_rate", "type": "geometric_float", "low": 0.001, "high": 0.1, "step": 10},
        {"name": "optimizer", "type": "choice", "choices": ["adam", "momentum"]},
        {"name": "augment", "type": "bool"},
    ],
}


def test_a_digits_search_is_trained_to_the_end_by_a_real_worker_through_redis(workers, process_env, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    # 1%: a Keras fit or two grows a training process that much, so it is replaced on the way
    # (workers/memory.py), and the search must not notice.
    workers.env = {**workers.env, "GAWEB_WORKER_MEMORY_GROWTH": "1"}
    workers.start(1)
    finished = run_command(process_env, "runsearch", str(spec), "--wait", timeout=600)
    assert finished.returncode == 0, finished.stderr + workers.logs()
    assert "completed" in finished.stdout

    search = Search.objects.get()
    assert search.status == Search.Status.COMPLETED, search.error
    candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == 8
    trained = candidates.filter(status=Entity.Status.DONE)
    assert trained.exists() and not candidates.filter(status=Entity.Status.FAILED).exists()
    for entity in trained:
        assert 0.0 < entity.accuracy <= 1.0 and entity.parameter_count > 1000
        assert entity.history and entity.history[-1]["val_accuracy"] == pytest.approx(entity.accuracy)
        assert entity.worker.startswith("cpu0@") and entity.gpu == ""
        # the dataset was loaded once per training process, for its first candidate
        assert entity.timings["dataset_loads"] == 1
        assert entity.attempts == 1  # a replaced process's job was not trained again
        assert entity.timings["rss_mb"] > 50  # what its process held after it
    # A training process grown past its warm size was replaced after recording its candidate.
    assert len({entity.timings["pid"] for entity in trained}) > 1, workers.logs()
    assert "GAWEB_WORKER_MEMORY_GROWTH): replacing it" in (tmp_path / "cpu0.log").read_text()
