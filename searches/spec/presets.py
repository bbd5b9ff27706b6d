"""Ready-made search specs; ``examples/`` holds the same specs as JSON files."""

from __future__ import annotations

import copy
from typing import Any

# The TensorFlow CIFAR-10 tutorial network's traits with discrete ranges around the
# tutorial's own values: 4 * 3 * 2 * 4 * 3 * 2 * 4 * 4 * 5 * 3 = 138,240 combinations,
# as in the reference write-up.
REFERENCE_TRAITS: list[dict[str, Any]] = [
    {"name": "conv1_filters", "type": "geometric_int", "low": 16, "high": 128, "step": 2},
    {"name": "conv1_kernel", "type": "int", "low": 3, "high": 7, "step": 2},
    {"name": "conv1_norm", "type": "bool"},
    {"name": "conv2_filters", "type": "geometric_int", "low": 16, "high": 128, "step": 2},
    {"name": "conv2_kernel", "type": "int", "low": 3, "high": 7, "step": 2},
    {"name": "conv2_norm", "type": "bool"},
    {"name": "dense1_units", "type": "geometric_int", "low": 96, "high": 768, "step": 2},
    {"name": "dense2_units", "type": "geometric_int", "low": 48, "high": 384, "step": 2},
    {"name": "learning_rate", "type": "geometric_float", "low": 0.0001, "high": 1.0, "step": 10},
    {"name": "batch_size", "type": "geometric_int", "low": 64, "high": 256, "step": 2},
]

REFERENCE_GA: dict[str, Any] = {
    "population": 20,
    "generations": 8,
    "elite_previous": 10,
    "elite_all_time": 10,
    "immigrants": 1,
    "mutation_rate": 0.05,
}

PRESETS: dict[str, dict[str, Any]] = {
    "cifar10-tutorial": {
        "name": "CIFAR-10 tutorial space",
        "dataset": "cifar10",
        "objective": "keras",
        "seed": 1,
        "ga": REFERENCE_GA,
        "fitness": {"size_penalty": 0.0},
        "training": {"epochs": 10, "max_train_samples": None, "validation_fraction": 0.2},
        "traits": REFERENCE_TRAITS,
    },
    "synthetic": {
        "name": "Synthetic demo (reference space, no training)",
        "dataset": "digits",
        "objective": "synthetic",
        "seed": 1,
        "ga": REFERENCE_GA,
        "fitness": {"size_penalty": 0.0},
        "training": {"epochs": 1, "synthetic_delay": 0.0},
        "traits": REFERENCE_TRAITS,
    },
}


PRESETS["digits-demo"] = {
    "name": "Digits demo (real training, about a minute on 2 CPU cores)",
    "dataset": "digits",
    "objective": "keras",
    "seed": 1,
    "ga": {**REFERENCE_GA, "population": 10, "generations": 4, "elite_previous": 5, "elite_all_time": 5},
    "fitness": {"size_penalty": 0.0},
    "training": {"epochs": 3, "validation_fraction": 0.2},
    "traits": [
        {"name": "conv_blocks", "type": "int", "low": 1, "high": 2},
        {"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 64, "step": 2},
        {"name": "conv1_kernel", "type": "choice", "choices": [3, 5]},
        {"name": "conv2_filters", "type": "geometric_int", "low": 8, "high": 64, "step": 2},
        {"name": "dense1_units", "type": "geometric_int", "low": 32, "high": 256, "step": 2},
        {"name": "dense2_units", "type": "geometric_int", "low": 16, "high": 128, "step": 2},
        {"name": "learning_rate", "type": "geometric_float", "low": 0.001, "high": 0.1, "step": 10},
        {"name": "optimizer", "type": "choice", "choices": ["sgd", "momentum", "adam"]},
        {"name": "augment", "type": "bool"},
    ],
}


# "From scratch" in the form: the smallest useful spec, one trait to show the way; the
# algorithm's settings are the reference's (the defaults).
SCRATCH: dict[str, Any] = {
    "name": "my search",
    "dataset": "digits",
    "objective": "keras",
    "seed": 1,
    "ga": REFERENCE_GA,
    "training": {"epochs": 1},
    "traits": [{"name": "learning_rate", "type": "geometric_float", "low": 0.0001, "high": 0.1}],
}


def preset(name: str) -> dict[str, Any]:
    """A fresh copy of a preset spec, safe to edit."""
    return copy.deepcopy(PRESETS[name])
