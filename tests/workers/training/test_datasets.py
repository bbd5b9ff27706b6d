from __future__ import annotations

import io
import pickle
import tarfile

import numpy as np
import pytest
from PIL import Image

from workers.training import datasets
from workers.training.datasets import DatasetCache, DatasetMissing, load_cifar10, load_folder, split


def _batch(seed: int, count: int = 20) -> bytes:
    """A CIFAR-10 python batch in the official layout: rows of 1024 red, 1024 green, 1024 blue bytes."""
    rng = np.random.default_rng(seed)
    return pickle.dumps(
        {
            b"batch_label": b"testing batch",
            b"labels": [int(v) for v in rng.integers(0, 10, count)],
            b"data": rng.integers(0, 256, (count, 3072), dtype=np.uint8),
            b"filenames": [b"x.png"] * count,
        },
        protocol=2,
    )


@pytest.fixture
def cifar_archive(tmp_path):
    path = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for index in range(1, 6):
            raw = _batch(index)
            info = tarfile.TarInfo(f"cifar-10-batches-py/data_batch_{index}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path


def test_it_reads_the_official_cifar10_archive(cifar_archive):
    data = load_cifar10(str(cifar_archive))
    assert data.images.shape == (100, 32, 32, 3) and data.images.dtype == np.float32
    assert data.class_names[0] == "airplane" and len(data.class_names) == 10
    first = pickle.loads(_batch(1))
    # pixel (0, 0) of the first image: byte 0 is red, byte 1024 green, byte 2048 blue
    expected = np.array([first[b"data"][0][0], first[b"data"][0][1024], first[b"data"][0][2048]]) / 255.0
    np.testing.assert_allclose(data.images[0, 0, 0], expected, rtol=1e-6)
    assert list(data.labels[:20]) == first[b"labels"]


def test_it_reads_the_extracted_cifar10_folder(cifar_archive, tmp_path):
    with tarfile.open(cifar_archive) as archive:
        archive.extractall(tmp_path / "extracted", filter="data")
    assert load_cifar10(str(tmp_path / "extracted")).images.shape == (100, 32, 32, 3)


def test_it_refuses_a_pickle_that_is_not_a_cifar_batch(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for index in range(1, 6):
        (folder / f"data_batch_{index}").write_bytes(pickle.dumps(print))
    with pytest.raises(pickle.UnpicklingError, match="may not contain"):
        load_cifar10(str(folder))


def test_offline_without_a_local_copy_it_says_what_to_do(monkeypatch):
    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr("keras.datasets.cifar10.load_data", offline)
    with pytest.raises(DatasetMissing, match="GAWEB_CIFAR10_PATH"):
        load_cifar10(None)


def test_a_missing_archive_says_so(tmp_path):
    with pytest.raises(DatasetMissing, match="does not exist"):
        load_cifar10(str(tmp_path / "nowhere.tar.gz"))


@pytest.fixture
def photo_folder(tmp_path):
    root = tmp_path / "photos"
    for label, colour in (("cats", (255, 0, 0)), ("dogs", (0, 0, 255))):
        (root / label).mkdir(parents=True)
        for index in range(3):
            Image.new("RGB", (40 + index, 30), colour).save(root / label / f"{index}.png")
    (root / "cats" / "notes.txt").write_text("not an image")
    return root


def test_it_reads_class_folders_resized_to_the_image_size(photo_folder, tmp_path):
    data = load_folder(photo_folder, image_size=16, data_roots=[tmp_path])
    assert data.images.shape == (6, 16, 16, 3)
    assert data.class_names == ("cats", "dogs")
    assert list(data.labels) == [0, 0, 0, 1, 1, 1]
    np.testing.assert_allclose(data.images[0, 8, 8], [1.0, 0.0, 0.0])


def test_it_refuses_a_folder_outside_the_data_roots(photo_folder, tmp_path):
    (tmp_path / "roots").mkdir()
    with pytest.raises(DatasetMissing, match="outside the allowed data roots"):
        load_folder(photo_folder, image_size=16, data_roots=[tmp_path / "roots"])


def test_a_split_is_fixed_by_the_seed_and_caps_the_training_images():
    data = datasets.load_digits()
    first = split(data, seed=3, validation_fraction=0.2, max_train_samples=400)
    again = split(data, seed=3, validation_fraction=0.2, max_train_samples=400)
    other = split(data, seed=4, validation_fraction=0.2, max_train_samples=400)
    assert len(first.y_train) == 400 and len(first.y_val) == 100
    assert np.array_equal(first.y_val, again.y_val) and not np.array_equal(first.y_val, other.y_val)
    assert abs(float(first.x_train.mean())) < 1e-4  # standardised with the training statistics


def test_the_cache_loads_a_dataset_once_for_many_requests():
    cache = DatasetCache(data_roots=[], cifar10_path=None)
    for seed in (1, 2, 1, 3):
        cache.get("digits", seed=seed, validation_fraction=0.2, max_train_samples=None, image_size=32)
    assert cache.loads == 1
