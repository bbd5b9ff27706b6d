from __future__ import annotations

import numpy as np
import pytest

from searches.genetics import Space
from searches.spec.catalog import KERAS_TRAITS, TUTORIAL_GENOME
from searches.spec.presets import PRESETS
from workers.training.builder import LocalResponseNormalization
from workers.training.builder import build_model as build_complete
from workers.training.trainer import complete_genome

CIFAR = {"input_shape": (32, 32, 3), "num_classes": 10}


def build_model(genome, **shape):
    """The builder takes complete genomes; the trainer completes them with the tutorial's values."""
    return build_complete(complete_genome(genome), **shape)


def test_the_tutorial_network_has_the_parameters_counted_by_hand():
    conv1 = 5 * 5 * 3 * 64 + 64  # 32x32 -> pool -> 16x16
    conv2 = 5 * 5 * 64 * 64 + 64  # 16x16 -> pool -> 8x8
    dense1 = 8 * 8 * 64 * 384 + 384
    dense2 = 384 * 192 + 192
    logits = 192 * 10 + 10
    assert build_model({}, **CIFAR).count_params() == conv1 + conv2 + dense1 + dense2 + logits == 1_756_426


def test_a_genome_takes_the_tutorial_value_for_every_trait_it_leaves_out():
    assert build_model({}, **CIFAR).count_params() == build_model(TUTORIAL_GENOME, **CIFAR).count_params()


def test_its_counts_follow_the_traits():
    model = build_model({"conv_blocks": 1, "conv1_filters": 32, "dense1_units": 100, "dense2_units": 50}, **CIFAR)
    conv1 = 5 * 5 * 3 * 32 + 32
    dense1 = 16 * 16 * 32 * 100 + 100
    assert model.count_params() == conv1 + dense1 + (100 * 50 + 50) + (50 * 10 + 10)


PRESET_VALUES = [
    (trait.name, value)
    for trait in Space.from_spec(PRESETS["cifar10-tutorial"]["traits"])
    for value in trait.grid()
    if trait.name != "batch_size" and trait.name != "learning_rate"  # training settings, not layers
]


@pytest.mark.parametrize(("name", "value"), PRESET_VALUES, ids=[f"{n}={v}" for n, v in PRESET_VALUES])
def test_every_value_of_the_cifar10_preset_builds_a_network(name, value):
    model = build_model({name: value}, **CIFAR)
    assert model.count_params() > 0
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize(
    "genome",
    [
        {"conv_blocks": 4, "normalization": "batch", "pooling": "average"},
        {"dropout": 0.5, "weight_decay": 0.0, "augment": False},
        {"optimizer": "adam"},
        {"conv_blocks": 3, "conv3_kernel": 3, "conv3_norm": False},
    ],
)
def test_other_catalog_values_build_too(genome):
    assert build_model(genome, input_shape=(8, 8, 1), num_classes=10).output_shape == (None, 10)


def test_the_catalog_defaults_are_the_tutorial_values():
    assert TUTORIAL_GENOME["conv1_filters"] == 64 and TUTORIAL_GENOME["conv1_kernel"] == 5
    assert TUTORIAL_GENOME["dense1_units"] == 384 and TUTORIAL_GENOME["dense2_units"] == 192
    assert TUTORIAL_GENOME["conv_blocks"] == 2 and TUTORIAL_GENOME["normalization"] == "lrn"
    assert set(TUTORIAL_GENOME) == set(KERAS_TRAITS)


def test_augmentation_keeps_the_image_shape_and_does_nothing_at_inference():
    model = build_model({"augment": True}, input_shape=(8, 8, 1), num_classes=10)
    images = np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32")
    first = np.asarray(model(images, training=False))
    assert np.array_equal(first, np.asarray(model(images, training=False)))


def test_local_response_normalisation_matches_tensorflow():
    import tensorflow as tf  # the reference implementation (TensorFlow is a requirement)

    x = np.random.default_rng(1).normal(size=(2, 5, 5, 16)).astype("float32")
    ours = np.asarray(LocalResponseNormalization()(x))
    theirs = tf.nn.local_response_normalization(x, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
