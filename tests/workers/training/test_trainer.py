from __future__ import annotations

import pytest

from workers.training.datasets import DatasetCache
from workers.training.trainer import TrainingFailed, _is_out_of_memory, train_candidate

SMALL = {"conv_blocks": 1, "conv1_filters": 8, "dense1_units": 16, "dense2_units": 16, "augment": False}


@pytest.fixture(scope="module")
def digits():
    cache = DatasetCache(data_roots=[], cifar10_path=None)
    return cache.get("digits", seed=1, validation_fraction=0.2, max_train_samples=200, image_size=32)


def test_it_reports_the_last_epochs_validation_accuracy_and_a_curve(digits):
    outcome = train_candidate({**SMALL, "optimizer": "adam", "learning_rate": 0.01}, digits, epochs=2, seed=1)
    assert [row["epoch"] for row in outcome.history] == [1, 2]
    assert outcome.accuracy == outcome.history[-1]["val_accuracy"]
    assert 0.0 <= outcome.accuracy <= 1.0
    assert outcome.parameter_count > 0 and outcome.timings["fit"] > 0


def test_the_same_seed_trains_the_same_network(digits):
    genome = {**SMALL, "optimizer": "adam", "learning_rate": 0.01}
    first = train_candidate(genome, digits, epochs=1, seed=5)
    second = train_candidate(genome, digits, epochs=1, seed=5)
    assert first.history == second.history


def test_a_loss_that_diverges_fails_the_candidate(digits):
    genome = {**SMALL, "learning_rate": 1e6, "optimizer": "momentum", "conv1_norm": False, "weight_decay": 0.0}
    with pytest.raises(TrainingFailed, match="NaN or infinite"):
        train_candidate(genome, digits, epochs=3, seed=1)


def test_a_network_that_cannot_be_built_fails_the_candidate(digits):
    with pytest.raises(TrainingFailed, match="cannot build"):
        train_candidate({**SMALL, "conv1_kernel": 0}, digits, epochs=1, seed=1)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (MemoryError(), True),
        (type("ResourceExhaustedError", (Exception,), {})("OOM when allocating tensor"), True),
        (RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate"), True),
        (ValueError("shapes do not match"), False),
    ],
)
def test_it_recognises_running_out_of_memory_on_every_backend(error, expected):
    assert _is_out_of_memory(error) is expected


def test_it_asks_after_each_epoch_and_stops_when_told(digits):
    asked = []

    def go_on(epoch, metrics):
        asked.append((epoch, round(metrics["val_accuracy"], 6)))
        return epoch < 2

    outcome = train_candidate(
        {**SMALL, "optimizer": "adam", "learning_rate": 0.01}, digits, epochs=5, seed=1, go_on=go_on
    )
    assert outcome.stopped and [row["epoch"] for row in outcome.history] == [1, 2]
    assert asked == [(row["epoch"], row["val_accuracy"]) for row in outcome.history]
    assert outcome.accuracy == outcome.history[-1]["val_accuracy"]


def test_a_no_after_the_last_epoch_is_not_a_stop(digits):
    outcome = train_candidate({**SMALL}, digits, epochs=2, seed=1, go_on=lambda epoch, metrics: epoch != 2)
    assert not outcome.stopped and len(outcome.history) == 2
