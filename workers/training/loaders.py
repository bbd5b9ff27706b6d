"""The datasets gaweb knows, each as the images a search may use and a test split it never sees.

* ``digits``: scikit-learn's 1,797 handwritten digits; a fixed 20% (by a fixed seed, the
  same for every search) is held out as the test split.
* ``cifar10``: the 50,000 training images for searches and the official 10,000 test images,
  from ``GAWEB_CIFAR10_PATH`` (the python archive or its extracted folder; or images in
  ``train/<class>/`` and ``test/<class>/`` folders, or a ``.tar.gz``/``.tar.xz`` of them),
  or else through Keras (downloaded when the internet is reachable).
* ``folder:<path>``: images in class folders; when ``<path>`` holds ``train/`` and ``test/``
  class folders, searches use ``train/`` and the final evaluation ``test/``; otherwise there
  is no test split.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from searches.spec.catalog import CIFAR10_CLASSES, under_data_roots

from .sources import DatasetMissing, Folder, ImageSource, InMemory

# The digits held out for testing: the same images for every search, whatever its seed.
DIGITS_TEST_SHARE = 0.2
DIGITS_TEST_SEED = 20_251_128

CIFAR10_HELP = (
    "CIFAR-10 is not available offline. Download cifar-10-python.tar.gz from "
    "https://www.cs.toronto.edu/~kriz/cifar.html, then set GAWEB_CIFAR10_PATH to the archive "
    "(or to its extracted cifar-10-batches-py folder, or to a folder of train/<class>/ images) for every "
    "worker; or use a dataset in class folders with folder:<path>."
)


@dataclass(frozen=True)
class Dataset:
    """The images a search trains and validates on, and the test split it never sees (if any)."""

    search: ImageSource
    test: ImageSource | None
    # Where the test split would come from, for the message when there is none.
    test_help: str = ""


def load_digits() -> Dataset:
    """scikit-learn's digits (8x8, 17 grey levels, shipped with the package), 20% held out for testing."""
    from sklearn.datasets import load_digits as sklearn_digits  # scikit-learn is slow to import

    bunch = sklearn_digits()
    images = bunch.images.astype(np.uint8)[..., np.newaxis]
    labels = bunch.target.astype(np.int32)
    order = np.random.default_rng(DIGITS_TEST_SEED).permutation(len(labels))
    test, search = order[: round(DIGITS_TEST_SHARE * len(order))], order[round(DIGITS_TEST_SHARE * len(order)) :]
    names = tuple(str(d) for d in range(10))
    return Dataset(
        search=InMemory(images[np.sort(search)], labels[np.sort(search)], names, scale=16.0),
        test=InMemory(images[np.sort(test)], labels[np.sort(test)], names, scale=16.0),
    )


def load_folder(root: Path, *, image_size: int, data_roots: Sequence[Path]) -> Dataset:
    """Class folders under ``root``, or ``root/train`` and ``root/test`` class folders."""
    return _train_and_test(locate_folder(root, data_roots=data_roots), image_size)


def locate_folder(root: Path, *, data_roots: Sequence[Path]) -> Path:
    """Where a dataset folder is on this machine; DatasetMissing if it is not here, or not allowed."""
    resolved = under_data_roots(root, data_roots)
    if resolved is None:
        raise DatasetMissing(f"{root} is outside the allowed data roots of this worker (GAWEB_DATA_ROOTS)")
    if not resolved.is_dir():
        raise DatasetMissing(f"the dataset folder {root} does not exist on this worker")
    return resolved


def load_cifar10(path: str | None, *, cache_dir: Path | None = None) -> Dataset:
    """CIFAR-10 from ``path`` (an archive or a folder), or through Keras where no path is given."""
    if path:
        return _cifar10_from_local(Path(path).expanduser(), cache_dir)
    try:
        from .quietly import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    except Exception as error:
        raise DatasetMissing(f"{CIFAR10_HELP} (Keras could not fetch it: {type(error).__name__})") from error
    return Dataset(
        search=InMemory(x_train.astype(np.uint8), y_train.reshape(-1).astype(np.int32), CIFAR10_CLASSES),
        test=InMemory(x_test.astype(np.uint8), y_test.reshape(-1).astype(np.int32), CIFAR10_CLASSES),
    )


def _train_and_test(root: Path, image_size: int) -> Dataset:
    if (root / "train").is_dir():
        test = Folder(root / "test", image_size) if (root / "test").is_dir() else None
        help_ = f"put test images in {root / 'test'}/<class>/"
        return Dataset(Folder(root / "train", image_size), test, test_help=help_)
    help_ = f"arrange {root} as train/<class>/ and test/<class>/ folders"
    return Dataset(Folder(root, image_size), None, test_help=help_)


# --- CIFAR-10 from local files -----------------------------------------------------------------

BATCHES = [f"data_batch_{i}" for i in range(1, 6)]


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


def _from_batches(raws: list[bytes], test_raw: bytes | None) -> Dataset:
    batches = [_read_batch(raw) for raw in raws]
    search = InMemory(np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches]), CIFAR10_CLASSES)
    test = None
    if test_raw is not None:
        test = InMemory(*_read_batch(test_raw), CIFAR10_CLASSES)
    return Dataset(search, test, test_help="the archive has no test_batch")


def _cifar10_from_local(path: Path, cache_dir: Path | None) -> Dataset:
    if path.is_dir():
        if (path / "train").is_dir():
            return _train_and_test(path, 32)
        folder = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path
        missing = [n for n in BATCHES if not (folder / n).is_file()]
        if missing:
            raise DatasetMissing(
                f"{folder} has no {missing[0]}: expected the extracted cifar-10-batches-py folder, "
                "or train/<class>/ image folders"
            )
        test = folder / "test_batch"
        raws = [(folder / n).read_bytes() for n in BATCHES]
        return _from_batches(raws, test.read_bytes() if test.is_file() else None)
    if not path.is_file():
        raise DatasetMissing(f"GAWEB_CIFAR10_PATH={path} does not exist on this worker. {CIFAR10_HELP}")
    try:
        with tarfile.open(path) as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            by_name = {Path(m.name).name: m for m in members}
            if all(n in by_name for n in BATCHES):
                test = by_name.get("test_batch")
                return _from_batches(
                    [archive.extractfile(by_name[n]).read() for n in BATCHES],
                    archive.extractfile(test).read() if test else None,
                )
            if any("train" in Path(m.name).parts[:-2] for m in members):
                return _train_and_test(_extracted(path, archive, cache_dir), 32)
    except tarfile.TarError as error:
        raise DatasetMissing(f"{path} is not a readable tar archive ({error}). {CIFAR10_HELP}") from error
    raise DatasetMissing(
        f"{path} is neither the CIFAR-10 python archive (no data_batch_1 inside) nor an archive of "
        f"train/<class>/ image folders. {CIFAR10_HELP}"
    )


def _extracted(path: Path, archive: tarfile.TarFile, cache_dir: Path | None) -> Path:
    """The archive's folders, unpacked once into ``cache_dir`` (kept for every later worker process).

    Each process unpacks into a folder of its own and renames it into place, so that two
    workers starting at once never see a half-written folder; the second one's copy is dropped.
    """
    if cache_dir is None:
        raise DatasetMissing(f"{path} holds image folders, but no cache folder was given to unpack it into")
    stat = path.stat()
    digest = hashlib.sha1(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    target = cache_dir / f"{path.name.split('.')[0]}-{digest}"
    if target.is_dir():
        return target
    partial = cache_dir / f".{target.name}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        archive.extractall(partial, filter="data")
        # The folders may sit one level down (cifar10/train/...): keep the folder that holds train/.
        root = next((p.parent for p in sorted(partial.rglob("train")) if p.is_dir()), partial)
        try:
            root.rename(target)
        except OSError:
            if not target.is_dir():  # not another worker's copy, already in place: a real error
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target
