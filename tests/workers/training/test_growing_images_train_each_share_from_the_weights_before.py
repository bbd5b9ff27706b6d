"""Successive halving's images resource in the trainer: each of the first epochs trains on its share
of the images, going on from the weights the epoch before left; a stop ends it at once."""

from __future__ import annotations

import math

import pytest

from workers.training.builder import build_model, compile_model
from workers.training.datasets import DatasetCache
from workers.training.trainer import TrainingFailed, complete_genome, train_candidate

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


def test_a_stop_at_an_epoch_rung_on_every_image_ends_the_last_fit_there(digits):
    # The resource both: a ninth, a third, then epochs on every image, told to stop after the third epoch.
    shares = [1 / 9, 1 / 3, 1.0, 1.0, 1.0]
    outcome = train_candidate(
        GENOME, digits, epochs=5, seed=1, share=lambda epoch: shares[epoch - 1], go_on=lambda epoch, metrics: epoch < 3
    )  # fmt: skip
    assert outcome.stopped and [row["epoch"] for row in outcome.history] == [1, 2, 3]


def test_a_loss_that_diverges_on_every_image_names_its_epoch(digits):
    genome = {**GENOME, "learning_rate": 1e6, "optimizer": "momentum", "conv1_norm": False, "weight_decay": 0.0}
    with pytest.raises(TrainingFailed, match=r"NaN or infinite in epoch [2-4]"):
        # One image, one step: the first epoch's loss is finite. A later fit's epoch is named as the
        # search numbers it, not as that fit does (which would say epoch 1).
        train_candidate(genome, digits, epochs=4, seed=1, share=lambda epoch: [1e-9, 1e-9, 1.0, 1.0][epoch - 1])


def test_a_share_is_rounded_up_to_whole_batches_so_no_batch_has_a_shape_of_its_own():
    from workers.training.trainer import _whole_batches

    assert _whole_batches(1 / 9, 720, 32) == 96  # 80 images, 3 whole batches
    assert _whole_batches(1 / 3, 720, 32) == 256  # 240 images, 8 batches
    assert _whole_batches(1 / 9, 100, 256) == 100  # never more than there are
    assert _whole_batches(1.0, 720, 32) == 720  # all of them: the last batch as it falls
