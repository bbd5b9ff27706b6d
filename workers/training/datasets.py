"""Image datasets, loaded once per worker process and kept in memory across candidates.

``DatasetCache.get`` returns a ``Split``: training and validation arrays carved from
one labelled set of images by the search's seed, standardised per channel with
the training images' statistics. Loading (download, decoding) happens once per
process and dataset; a split is cheap and is kept for the searches that use it.
"""

from __future__ import annotations

import io
import logging
import math
import pickle
import tarfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from searches.catalog import CIFAR10_CLASSES, folder_of, under_data_roots

log = logging.getLogger("gaweb.datasets")

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}
CIFAR10_HELP = (
    "CIFAR-10 is not available offline. Download cifar-10-python.tar.gz from "
    "https://www.cs.toronto.edu/~kriz/cifar.html, then set GAWEB_CIFAR10_PATH to the archive "
    "(or to its extracted cifar-10-batches-py folder) for every worker; or use a dataset in "
    "class folders with folder:<path>."
)


class DatasetMissing(Exception):
    """The dataset cannot be loaded; the message says what to do."""


@dataclass(frozen=True)
class ImageData:
    images: np.ndarray  # float32, (n, height, width, channels), in [0, 1]
    labels: np.ndarray  # int32, (n,)
    class_names: tuple[str, ...]


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: tuple[str, ...]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


# --- Loaders -----------------------------------------------------------------------


def load_digits() -> ImageData:
    """scikit-learn's 1,797 handwritten digits (8x8, 17 grey levels), shipped with the package."""
    from sklearn.datasets import load_digits as sklearn_digits  # scikit-learn is slow to import

    bunch = sklearn_digits()
    images = (bunch.images / 16.0).astype(np.float32)[..., np.newaxis]
    return ImageData(images, bunch.target.astype(np.int32), tuple(str(d) for d in range(10)))


def load_cifar10(path: str | None) -> ImageData:
    """CIFAR-10's 50,000 training images, from ``path`` (archive or folder) or through Keras.

    Without a path, Keras's own copy (~/.keras/datasets) is used, downloaded if
    the internet is reachable.
    """
    if path:
        return _cifar10_from_local(Path(path).expanduser())
    try:
        import keras

        (images, labels), _ = keras.datasets.cifar10.load_data()
    except Exception as error:
        raise DatasetMissing(f"{CIFAR10_HELP} (Keras could not fetch it: {type(error).__name__})") from error
    return ImageData((images / 255.0).astype(np.float32), labels.reshape(-1).astype(np.int32), CIFAR10_CLASSES)


def load_folder(root: Path, *, image_size: int, data_roots: Sequence[Path]) -> ImageData:
    """Images in class folders (``root/<class>/<image>``), as RGB squares of ``image_size`` pixels."""
    from PIL import Image, UnidentifiedImageError

    resolved = under_data_roots(root, data_roots)
    if resolved is None:
        raise DatasetMissing(f"{root} is outside the allowed data roots (GAWEB_DATA_ROOTS)")
    if not resolved.is_dir():
        raise DatasetMissing(f"the dataset folder {root} does not exist on this worker")
    classes = sorted(p.name for p in resolved.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DatasetMissing(f"{root} must hold one folder per class (at least two), each with images")
    images, labels = [], []
    for label, name in enumerate(classes):
        files = sorted(p for p in (resolved / name).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        for file in files:
            try:
                with Image.open(file) as image:
                    image = image.convert("RGB")
                    if image.size != (image_size, image_size):
                        image = image.resize((image_size, image_size), Image.Resampling.BILINEAR)
                    images.append(np.asarray(image, dtype=np.uint8))
            except (OSError, UnidentifiedImageError) as error:
                log.warning("skipping unreadable image %s: %s", file, error)
                continue
            labels.append(label)
    if not images:
        raise DatasetMissing(f"no readable images under {root} ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return ImageData((np.stack(images) / 255.0).astype(np.float32), np.asarray(labels, dtype=np.int32), tuple(classes))


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles CIFAR-10 batches, refusing every class but NumPy's array machinery.

    The official batches are pickles; a pickle from elsewhere could run code when
    loaded, so only what a batch needs is allowed.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"a CIFAR-10 batch may not contain {module}.{name}")
        return super().find_class(module, name)


def _read_batch(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    batch = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
    data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return data, np.asarray(batch[b"labels"], dtype=np.int32)


def _cifar10_from_local(path: Path) -> ImageData:
    names = [f"data_batch_{i}" for i in range(1, 6)]
    if path.is_file():
        try:
            with tarfile.open(path) as archive:
                members = {Path(m.name).name: m for m in archive.getmembers() if m.isfile()}
                missing = [n for n in names if n not in members]
                if missing:
                    raise DatasetMissing(f"{path} is not the CIFAR-10 python archive: no {missing[0]} inside")
                raws = [archive.extractfile(members[n]).read() for n in names]
        except tarfile.TarError as error:
            raise DatasetMissing(f"{path} is not a readable tar archive ({error}). {CIFAR10_HELP}") from error
    elif path.is_dir():
        folder = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path
        missing = [n for n in names if not (folder / n).is_file()]
        if missing:
            raise DatasetMissing(f"{folder} has no {missing[0]}: expected the extracted cifar-10-batches-py folder")
        raws = [(folder / n).read_bytes() for n in names]
    else:
        raise DatasetMissing(f"GAWEB_CIFAR10_PATH={path} does not exist on this worker. {CIFAR10_HELP}")
    batches = [_read_batch(raw) for raw in raws]
    images = np.concatenate([b[0] for b in batches])
    labels = np.concatenate([b[1] for b in batches])
    return ImageData((images / 255.0).astype(np.float32), labels, CIFAR10_CLASSES)


# --- Splitting and caching -------------------------------------------------------------


def split(data: ImageData, *, seed: int, validation_fraction: float, max_train_samples: int | None) -> Split:
    """Carve validation images out of ``data`` with the seed; cap the training images.

    With a cap, a subset of ``cap / (1 - validation_fraction)`` images is drawn
    first, so the validation set keeps its share of the images used.
    """
    order = np.random.default_rng(seed).permutation(len(data.labels))
    if max_train_samples is not None:
        order = order[: min(len(order), math.ceil(max_train_samples / (1 - validation_fraction)))]
    n_val = max(1, round(validation_fraction * len(order)))
    val, train = order[:n_val], order[n_val:]
    x_train, x_val = data.images[train], data.images[val]
    mean = x_train.mean(axis=(0, 1, 2), keepdims=True)
    std = x_train.std(axis=(0, 1, 2), keepdims=True) + 1e-7
    return Split(
        ((x_train - mean) / std).astype(np.float32),
        data.labels[train],
        ((x_val - mean) / std).astype(np.float32),
        data.labels[val],
        data.class_names,
    )


class DatasetCache:
    """Keeps every dataset this process has loaded, and the last few splits of them.

    ``loads`` counts the loads, so that a test can see a dataset loaded once
    for many candidates.
    """

    MAX_SPLITS = 4

    def __init__(self, *, data_roots: Sequence[Path], cifar10_path: str | None):
        self._data_roots = list(data_roots)
        self._cifar10_path = cifar10_path
        self._data: dict[tuple, ImageData] = {}
        self._splits: OrderedDict[tuple, Split] = OrderedDict()
        self.loads = 0

    def get(
        self, dataset: str, *, seed: int, validation_fraction: float, max_train_samples: int | None, image_size: int
    ) -> Split:
        data_key = (dataset, image_size) if folder_of(dataset) else (dataset,)
        key = (*data_key, seed, validation_fraction, max_train_samples)
        if key in self._splits:
            self._splits.move_to_end(key)
            return self._splits[key]
        if data_key not in self._data:
            self._data[data_key] = self._load(dataset, image_size)
            self.loads += 1
        result = split(
            self._data[data_key],
            seed=seed,
            validation_fraction=validation_fraction,
            max_train_samples=max_train_samples,
        )
        self._splits[key] = result
        while len(self._splits) > self.MAX_SPLITS:
            self._splits.popitem(last=False)
        return result

    def _load(self, dataset: str, image_size: int) -> ImageData:
        log.info("loading dataset %s", dataset)
        if dataset == "digits":
            return load_digits()
        if dataset == "cifar10":
            return load_cifar10(self._cifar10_path)
        folder = folder_of(dataset)
        if folder is not None:
            return load_folder(folder, image_size=image_size, data_roots=self._data_roots)
        raise DatasetMissing(f"unknown dataset {dataset!r}")
