"""What the ``keras`` objective knows, as plain facts: its datasets and its traits.

Datasets: the named ones, the ``folder:`` prefix for images in class folders, and the
rule that such a folder must lie under one of the data roots.

Traits: a spec for the ``keras`` objective may name only these; every trait it
leaves out takes the TensorFlow CIFAR-10 tutorial's value here. ``workers.training``
builds and trains the network from a genome completed with these values.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# --- Datasets -------------------------------------------------------------------------

FOLDER_PREFIX = "folder:"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# What a named dataset gives the network: the input shape and the class names, in label order.
NAMED_DATASETS: dict[str, dict[str, Any]] = {
    "digits": {"input_shape": [8, 8, 1], "class_names": [str(d) for d in range(10)]},
    "cifar10": {"input_shape": [32, 32, 3], "class_names": list(CIFAR10_CLASSES)},
}


def folder_of(dataset: str) -> Path | None:
    """The folder of a ``folder:<path>`` dataset, or None for a named dataset."""
    return Path(dataset[len(FOLDER_PREFIX) :]) if dataset.startswith(FOLDER_PREFIX) else None


def under_data_roots(path: Path | str, roots: Sequence[Path | str]) -> Path | None:
    """``path`` resolved, when it lies in one of ``roots`` (or is one); None otherwise.

    realpath resolves '..' and symbolic links, so neither can lead outside the roots.
    """
    resolved = Path(os.path.realpath(os.path.expanduser(path)))
    for root in roots:
        root = Path(os.path.realpath(root))
        if resolved == root or root in resolved.parents:
            return resolved
    return None


# --- Traits -----------------------------------------------------------------------------

MAX_CONV_BLOCKS = 4


@dataclass(frozen=True)
class KerasTrait:
    name: str
    default: Any
    help: str
    # The legal values: ("int", low, high), ("float", low, high) or ("one_of", values).
    domain: tuple


def _conv_traits() -> list[KerasTrait]:
    traits = []
    for block in range(1, MAX_CONV_BLOCKS + 1):
        traits += [
            KerasTrait(f"conv{block}_filters", 64, f"filters of convolution block {block}", ("int", 1, 4096)),
            KerasTrait(f"conv{block}_kernel", 5, f"kernel size of convolution block {block}", ("int", 1, 15)),
            KerasTrait(f"conv{block}_norm", True, f"normalise the output of block {block}", ("one_of", (True, False))),
        ]
    return traits


KERAS_TRAITS: dict[str, KerasTrait] = {
    trait.name: trait
    for trait in [
        KerasTrait("conv_blocks", 2, "number of convolution blocks (conv, pool, norm)", ("int", 1, MAX_CONV_BLOCKS)),
        *_conv_traits(),
        KerasTrait("normalization", "lrn", "local response or batch normalisation", ("one_of", ("lrn", "batch"))),
        KerasTrait("pooling", "max", "pooling after each block (3x3, stride 2)", ("one_of", ("max", "average"))),
        KerasTrait("dense1_units", 384, "units of the first dense layer", ("int", 1, 65536)),
        KerasTrait("dense2_units", 192, "units of the second dense layer", ("int", 1, 65536)),
        KerasTrait("dropout", 0.0, "dropout rate before each dense layer", ("float", 0.0, 0.95)),
        KerasTrait("learning_rate", 0.1, "initial learning rate", ("float", 1e-7, 10.0)),
        KerasTrait("batch_size", 128, "training batch size", ("int", 1, 65536)),
        KerasTrait("weight_decay", 0.004, "L2 weight decay of the dense layers", ("float", 0.0, 1.0)),
        KerasTrait("optimizer", "sgd", "the optimizer", ("one_of", ("sgd", "momentum", "adam", "rmsprop"))),
        KerasTrait("augment", True, "random crop (4-pixel padding) and horizontal flip", ("one_of", (True, False))),
    ]
}

TUTORIAL_GENOME: dict[str, Any] = {name: trait.default for name, trait in KERAS_TRAITS.items()}
