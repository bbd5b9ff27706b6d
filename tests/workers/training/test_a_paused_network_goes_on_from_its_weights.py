"""A candidate paused at a rung of its bracket hands back its network, optimizer state and all, and a
training taken up from those bytes goes on after the epochs it had: nothing is trained twice."""

from __future__ import annotations

import math

import pytest

from workers.training.datasets import DatasetCache
from workers.training.trainer import TrainingFailed, train_candidate
from workers.training.weights import network_from

GENOME = {"conv_blocks": 1, "conv1_filters": 8, "dense1_units": 16, "dense2_units": 16, "augment": False,
          "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}  # fmt: skip


@pytest.fixture(scope="module")
def digits():
    cache = DatasetCache(data_roots=[], cifar10_path=None)
    return cache.get("digits", seed=1, validation_fraction=0.2, max_train_samples=320, image_size=32)


def steps(digits, epochs: int) -> int:
    return epochs * math.ceil(len(digits.y_train) / GENOME["batch_size"])


def test_a_paused_network_is_handed_back_and_taken_up_after_its_epochs(digits):
    paused = train_candidate(GENOME, digits, epochs=4, seed=1, go_on=lambda e, m: e < 1, keep_weights=True)
    assert paused.stopped and [row["epoch"] for row in paused.history] == [1]
    assert int(network_from(paused.weights).optimizer.iterations) == steps(digits, 1)

    again = train_candidate(
        GENOME, digits, epochs=4, seed=1, resume=(1, paused.weights), go_on=lambda e, m: e < 3, keep_weights=True
    )  # fmt: skip
    assert again.stopped and [row["epoch"] for row in again.history] == [2, 3]
    assert int(network_from(again.weights).optimizer.iterations) == steps(digits, 3)  # on from where it was


def test_weights_are_kept_only_where_asked_and_only_for_a_stop(digits):
    assert train_candidate(GENOME, digits, epochs=2, seed=1, go_on=lambda e, m: e < 1).weights is None
    assert train_candidate(GENOME, digits, epochs=1, seed=1, keep_weights=True).weights is None


def test_weights_it_cannot_read_fail_the_candidate_saying_so(digits):
    with pytest.raises(TrainingFailed, match="cannot take it up from its rung"):
        train_candidate(GENOME, digits, epochs=3, seed=1, resume=(1, b"not a network"))
