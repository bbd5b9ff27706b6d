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


# Beyond the tutorial's network: the kind of normalisation, the optimizer, augmentation, dropout,
# weight decay and a third convolution block, the levers a practitioner pulls first. Searched
# with the recommended settings: the surrogate-assisted genetic algorithm, started from the
# tutorial's values, with successive halving giving the budget to the candidates that earn it.
WIDE_TRAITS: list[dict[str, Any]] = [
    {"name": "conv_blocks", "type": "int", "low": 2, "high": 3},
    *(
        trait
        for block in (1, 2, 3)
        for trait in (
            {"name": f"conv{block}_filters", "type": "geometric_int", "low": 32, "high": 128, "step": 2},
            {"name": f"conv{block}_kernel", "type": "choice", "choices": [3, 5]},
            {"name": f"conv{block}_norm", "type": "bool"},
        )
    ),
    {"name": "normalization", "type": "choice", "choices": ["lrn", "batch"]},
    {"name": "pooling", "type": "choice", "choices": ["max", "average"]},
    {"name": "dense1_units", "type": "geometric_int", "low": 96, "high": 768, "step": 2},
    {"name": "dense2_units", "type": "geometric_int", "low": 48, "high": 384, "step": 2},
    {"name": "dropout", "type": "choice", "choices": [0.0, 0.25, 0.5]},
    {"name": "weight_decay", "type": "choice", "choices": [0.0, 0.0005, 0.004]},
    {"name": "optimizer", "type": "choice", "choices": ["sgd", "momentum", "adam"]},
    {"name": "learning_rate", "type": "geometric_float", "low": 0.0001, "high": 0.3},
    {"name": "batch_size", "type": "geometric_int", "low": 32, "high": 256, "step": 2},
    {"name": "augment", "type": "bool"},
]

RECOMMENDED_GA: dict[str, Any] = {
    "population": 8,
    "generations": 100,
    "elite_previous": 4,
    "elite_all_time": 4,
    "strategy": "surrogate",
    "mode": "steady_state",
    "seed_genomes": ["tutorial"],
}

PRESETS["cifar10-wide"] = {
    "name": "CIFAR-10, recommended settings (wide space: normalisation, optimizer, augmentation, dropout, blocks)",
    "dataset": "cifar10",
    "objective": "keras",
    "seed": 1,
    "ga": RECOMMENDED_GA,
    "fitness": {"size_penalty": 0.0},
    "training": {
        "epochs": 3,
        "max_train_samples": 3000,
        "validation_fraction": 0.2,
        "early_stopping": {"rule": "successive_halving", "min_epochs": 1, "reduction": 3},
    },
    "final": {"top_k": 3, "epochs": 3, "max_train_samples": 10000},
    "traits": WIDE_TRAITS,
}


# The form lists them in this order: the recommended CIFAR-10 search first, the reference experiment beside it.
PRESETS = {name: PRESETS[name] for name in ("cifar10-wide", "cifar10-tutorial", "digits-demo", "synthetic")}


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
