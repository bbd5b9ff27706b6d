"""Datasets as a worker needs them: loaded once per process, split per search, with a test split apart.

``DatasetCache.get`` returns a ``Split`` for a search: training and validation arrays
carved from the dataset's search images by the search's seed, standardised per channel
with the training images' statistics. The test split (``loaders``) never reaches it.
``DatasetCache.final`` returns ``FinalData`` for the final training of a finished search:
every search image to train on, and the test split to evaluate on once, as raw pixels,
with the statistics the final model standardises with inside itself.

Loading (download, unpacking) happens once per process and dataset; images of folder
datasets are decoded when a split first needs them, then kept.
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from searches.spec.catalog import folder_of

from .loaders import CIFAR10_HELP, Dataset, load_cifar10, load_digits, load_folder
from .sources import IMAGE_SUFFIXES, DatasetMissing, ImageSource, NoTestSplit

log = logging.getLogger("gaweb.datasets")

__all__ = [
    "CIFAR10_HELP",
    "IMAGE_SUFFIXES",
    "DatasetCache",
    "DatasetMissing",
    "FinalData",
    "NoTestSplit",
    "Split",
    "final_data",
    "split",
]


class _Shaped:
    """What the model builder asks of training data: the shape of one image, and the classes."""

    x_train: np.ndarray
    class_names: tuple[str, ...]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


@dataclass(frozen=True)
class Split(_Shaped):
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: tuple[str, ...]


@dataclass(frozen=True)
class FinalData(_Shaped):
    """Raw pixels (as the dataset stores them, 0 to ``scale``) to train a final model on and test it with;
    ``mean`` and ``variance`` (per channel, of the training pixels over ``scale``) for its own standardisation."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    scale: float
    mean: np.ndarray
    variance: np.ndarray
    # Held out of the training images, to pick among the final models (empty: none held out).
    x_val: np.ndarray = field(default_factory=lambda: np.empty((0,), np.float32))
    y_val: np.ndarray = field(default_factory=lambda: np.empty((0,), np.int64))


def split(source: ImageSource, *, seed: int, validation_fraction: float, max_train_samples: int | None) -> Split:
    """Carve validation images out of ``source`` with the seed; cap the training images.

    With a cap, a subset of ``cap / (1 - validation_fraction)`` images is drawn first, so
    that the validation set keeps its share of the images used; only those are decoded.
    """
    order = np.random.default_rng(seed).permutation(len(source.labels))
    if max_train_samples is not None:
        order = order[: min(len(order), math.ceil(max_train_samples / (1 - validation_fraction)))]
    n_val = max(1, round(validation_fraction * len(order)))
    val, train = order[:n_val], order[n_val:]
    x_train = source.pixels(train).astype(np.float32) / source.scale
    x_val = source.pixels(val).astype(np.float32) / source.scale
    mean = x_train.mean(axis=(0, 1, 2), keepdims=True)
    std = x_train.std(axis=(0, 1, 2), keepdims=True) + 1e-7
    return Split(
        ((x_train - mean) / std).astype(np.float32),
        source.labels[train],
        ((x_val - mean) / std).astype(np.float32),
        source.labels[val],
        source.class_names,
    )


def final_data(
    dataset: Dataset, *, max_train_samples: int | None = None, seed: int = 0, validation_fraction: float = 0.0
) -> FinalData:
    """Every search image (or ``max_train_samples`` of them, drawn by ``seed``) and the test split;
    ``validation_fraction`` of those images held out (drawn by ``seed`` too: the same for every
    final training of a search), to choose among the final models without the test split."""
    if dataset.test is None:
        raise NoTestSplit(f"this dataset has no test split to measure a final model on: {dataset.test_help}")
    source = dataset.search
    order = np.arange(len(source.labels))
    if max_train_samples is not None and max_train_samples < len(order):
        order = np.sort(np.random.default_rng(seed).permutation(len(order))[:max_train_samples])
    held = np.zeros(len(order), dtype=bool)
    if validation_fraction > 0:
        count = max(1, round(validation_fraction * len(order)))
        held[np.random.default_rng([seed, 1]).permutation(len(order))[:count]] = True
    x_train = source.pixels(order[~held]).astype(np.float32)
    scaled = x_train / source.scale
    return FinalData(
        x_train=x_train,
        y_train=source.labels[order[~held]],
        x_test=dataset.test.pixels(np.arange(len(dataset.test.labels))).astype(np.float32),
        y_test=dataset.test.labels,
        class_names=source.class_names,
        scale=source.scale,
        mean=scaled.mean(axis=(0, 1, 2)),
        variance=scaled.var(axis=(0, 1, 2)),
        x_val=source.pixels(order[held]).astype(np.float32),
        y_val=source.labels[order[held]],
    )


class DatasetCache:
    """Keeps every dataset this process has loaded, and the last few splits of them.

    ``loads`` counts the loads, so that a test can see a dataset loaded once for many
    candidates. ``cache_dir`` is where an archive of image folders is unpacked, once.
    """

    MAX_SPLITS = 4

    def __init__(self, *, data_roots: Sequence[Path], cifar10_path: str | None, cache_dir: Path | None = None):
        self._data_roots = list(data_roots)
        self._cifar10_path = cifar10_path
        self._cache_dir = cache_dir
        self._data: dict[tuple, Dataset] = {}
        self._splits: OrderedDict[tuple, Split] = OrderedDict()
        self.loads = 0

    def dataset(self, dataset: str, *, image_size: int) -> Dataset:
        key = (dataset, image_size) if folder_of(dataset) else (dataset,)
        if key not in self._data:
            self._data[key] = self._load(dataset, image_size)
            self.loads += 1
        return self._data[key]

    def get(
        self, dataset: str, *, seed: int, validation_fraction: float, max_train_samples: int | None, image_size: int
    ) -> Split:
        """A search's split: from the search images only, never the test split."""
        key = (dataset, image_size, seed, validation_fraction, max_train_samples)
        if key in self._splits:
            self._splits.move_to_end(key)
            return self._splits[key]
        source = self.dataset(dataset, image_size=image_size).search
        result = split(source, seed=seed, validation_fraction=validation_fraction, max_train_samples=max_train_samples)
        self._splits[key] = result
        while len(self._splits) > self.MAX_SPLITS:
            self._splits.popitem(last=False)
        return result

    def final(
        self, dataset: str, *, image_size: int, max_train_samples: int | None, seed: int, validation_fraction: float
    ) -> FinalData:
        return final_data(
            self.dataset(dataset, image_size=image_size),
            max_train_samples=max_train_samples, seed=seed, validation_fraction=validation_fraction,
        )  # fmt: skip

    def _load(self, dataset: str, image_size: int) -> Dataset:
        log.info("loading dataset %s", dataset)
        if dataset == "digits":
            return load_digits()
        if dataset == "cifar10":
            return load_cifar10(self._cifar10_path, cache_dir=self._cache_dir)
        folder = folder_of(dataset)
        if folder is not None:
            return load_folder(folder, image_size=image_size, data_roots=self._data_roots)
        raise DatasetMissing(f"unknown dataset {dataset!r}")
