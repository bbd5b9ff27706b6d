"""Successive halving's images resource in the trainer: each of the first epochs trains on its share
of the images, going on from the weights the epoch before left; a stop ends it at once."""

from __future__ import annotations

import math

import pytest

from workers.training.builder import build_model, compile_model
from workers.training.datasets import DatasetCache
from workers.training.trainer import complete_genome, train_candidate

GENOME = {"conv_blocks": 1, "conv1_filters": 8, "dense1_units": 16, "dense2_units": 16, "augment": False,
          "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}  # fmt: skip
SHARES = [1 / 9, 1 / 3, 1.0, 1.0]


@pytest.fixture(scope="module")
def digits():
    cache = DatasetCache(data_roots=[], cifar10_path=None)
    return cache.get("digits", seed=1, validation_fraction=0.2, max_train_samples=900, image_size=32)


def kept_model(models: list):
    """A builder that keeps the model it builds, so that the test can read its optimizer's steps."""

    def build(genome, input_shape, num_classes):
        whole = complete_genome(genome)
        model = build_model(whole, input_shape=input_shape, num_classes=num_classes)
        compile_model(model, whole)
        models.append(model)
        return model

    return build


def steps(images: int) -> int:
    return math.ceil(images / GENOME["batch_size"])


def test_every_epoch_trains_its_share_and_goes_on_from_the_weights_before(digits):
    models: list = []
    asked: list[int] = []
    outcome = train_candidate(
        GENOME, digits, epochs=4, seed=1, build=kept_model(models), share=lambda epoch: SHARES[epoch - 1],
        go_on=lambda epoch, metrics: asked.append(epoch) or True,
    )  # fmt: skip
    images = len(digits.y_train)
    assert asked == [1, 2, 3, 4] and [row["epoch"] for row in outcome.history] == [1, 2, 3, 4]
    # One model, one optimizer, its steps the sum over the epochs: 100, 300, 720 and 720 images.
    counts = [math.ceil(share * images) for share in SHARES]
    assert (len(models), int(models[0].optimizer.iterations)) == (1, sum(steps(count) for count in counts))
    assert outcome.accuracy == outcome.history[-1]["val_accuracy"] and not outcome.stopped


def test_a_stop_at_an_image_rung_trains_no_more(digits):
    models: list = []
    outcome = train_candidate(
        GENOME, digits, epochs=4, seed=1, build=kept_model(models), share=lambda epoch: SHARES[epoch - 1],
        go_on=lambda epoch, metrics: epoch < 2,
    )  # fmt: skip
    images = len(digits.y_train)
    assert outcome.stopped and [row["epoch"] for row in outcome.history] == [1, 2]
    assert int(models[0].optimizer.iterations) == steps(math.ceil(images / 9)) + steps(math.ceil(images / 3))


def test_the_first_epochs_are_the_same_as_without_the_later_ones(digits):
    first = train_candidate(GENOME, digits, epochs=3, seed=4, share=lambda epoch: SHARES[epoch - 1])
    again = train_candidate(GENOME, digits, epochs=3, seed=4, share=lambda epoch: SHARES[epoch - 1],
                            go_on=lambda epoch, metrics: epoch < 1)  # fmt: skip
    assert again.history == first.history[:1]
