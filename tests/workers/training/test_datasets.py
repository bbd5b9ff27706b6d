from __future__ import annotations

import io
import pickle
import tarfile

import numpy as np
import pytest
from PIL import Image

from workers.training.datasets import DatasetCache, DatasetMissing, final_data, split
from workers.training.loaders import load_cifar10, load_digits, load_folder


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
    data = load_cifar10(str(cifar_archive)).search
    assert data.images.shape == (100, 32, 32, 3) and data.images.dtype == np.uint8 and data.scale == 255
    assert data.class_names[0] == "airplane" and len(data.class_names) == 10
    first = pickle.loads(_batch(1))
    # pixel (0, 0) of the first image: byte 0 is red, byte 1024 green, byte 2048 blue
    expected = np.array([first[b"data"][0][0], first[b"data"][0][1024], first[b"data"][0][2048]])
    np.testing.assert_array_equal(data.images[0, 0, 0], expected)
    assert list(data.labels[:20]) == first[b"labels"]


def test_the_archives_test_batch_is_the_test_split_and_without_it_there_is_none(cifar_archive, tmp_path):
    assert load_cifar10(str(cifar_archive)).test is None
    with_test = tmp_path / "with-test.tar.gz"
    with tarfile.open(cifar_archive) as source, tarfile.open(with_test, "w:gz") as archive:
        for member in source.getmembers():
            archive.addfile(member, source.extractfile(member))
        raw = _batch(99, count=10)
        info = tarfile.TarInfo("cifar-10-batches-py/test_batch")
        info.size = len(raw)
        archive.addfile(info, io.BytesIO(raw))
    dataset = load_cifar10(str(with_test))
    assert len(dataset.search) == 100 and len(dataset.test) == 10
    assert list(dataset.test.labels) == pickle.loads(raw)[b"labels"]


def test_it_reads_the_extracted_cifar10_folder(cifar_archive, tmp_path):
    with tarfile.open(cifar_archive) as archive:
        archive.extractall(tmp_path / "extracted", filter="data")
    assert load_cifar10(str(tmp_path / "extracted")).search.images.shape == (100, 32, 32, 3)


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
    dataset = load_folder(photo_folder, image_size=16, data_roots=[tmp_path])
    data = dataset.search
    assert data.pixels(range(6)).shape == (6, 16, 16, 3)
    assert data.class_names == ("cats", "dogs")
    assert list(data.labels) == [0, 0, 0, 1, 1, 1]
    np.testing.assert_array_equal(data.pixels([0])[0, 8, 8], [255, 0, 0])
    assert dataset.test is None
    with pytest.raises(DatasetMissing, match=r"no test split.*train/<class>/ and test/<class>/"):
        final_data(dataset)


def test_it_refuses_a_folder_outside_the_data_roots(photo_folder, tmp_path):
    (tmp_path / "roots").mkdir()
    with pytest.raises(DatasetMissing, match="outside the allowed data roots"):
        load_folder(photo_folder, image_size=16, data_roots=[tmp_path / "roots"])


def test_a_split_is_fixed_by_the_seed_and_caps_the_training_images():
    data = load_digits().search
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


def _image_tree(root, classes=("ant", "bee", "cat"), per_class=4, size=8):
    for label, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            Image.new("RGB", (size, size), (60 * label, 20 * index, 0)).save(root / name / f"{index}.png")


def test_a_folder_with_train_and_test_gives_searches_train_and_the_final_evaluation_test(tmp_path):
    _image_tree(tmp_path / "data" / "train")
    _image_tree(tmp_path / "data" / "test", per_class=2)
    dataset = load_folder(tmp_path / "data", image_size=8, data_roots=[tmp_path])
    assert len(dataset.search) == 12 and len(dataset.test) == 6
    assert not {f.parent.parent for f in dataset.search.files} & {f.parent.parent for f in dataset.test.files}
    final = final_data(dataset)
    assert final.x_train.shape == (12, 8, 8, 3) and final.x_test.shape == (6, 8, 8, 3) and final.scale == 255


def test_cifar10_may_be_a_tar_xz_of_image_folders_unpacked_once(tmp_path):
    _image_tree(tmp_path / "tree" / "cifar10" / "train", classes=("airplane", "automobile"))
    _image_tree(tmp_path / "tree" / "cifar10" / "test", classes=("airplane", "automobile"), per_class=1)
    archive = tmp_path / "cifar10-jpg.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(tmp_path / "tree" / "cifar10", arcname="cifar10")
    cache = tmp_path / "cache"
    first = load_cifar10(str(archive), cache_dir=cache)
    assert len(first.search) == 8 and len(first.test) == 2
    assert len(list(cache.iterdir())) == 1  # unpacked once, in place
    again = load_cifar10(str(archive), cache_dir=cache)
    assert again.search.root == first.search.root


def test_an_archive_of_neither_kind_says_what_it_expected(tmp_path):
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("readme.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(DatasetMissing, match="neither the CIFAR-10 python archive"):
        load_cifar10(str(archive), cache_dir=tmp_path)


def test_a_capped_split_of_a_folder_decodes_only_the_images_it_needs(tmp_path):
    _image_tree(tmp_path / "many", classes=("a", "b"), per_class=50)
    source = load_folder(tmp_path / "many", image_size=8, data_roots=[tmp_path]).search
    result = split(source, seed=1, validation_fraction=0.2, max_train_samples=16)
    assert len(result.y_train) == 16 and source.decoded == 20  # 16 to train, 4 to validate, of 100


def test_the_digits_test_split_is_a_fixed_fifth_that_no_search_split_contains():
    from collections import Counter

    from sklearn.datasets import load_digits as sklearn_digits

    dataset = load_digits()
    assert len(dataset.test) == 359 and len(dataset.search) == 1438

    def rows(images, labels):
        pairs = zip(images, labels, strict=True)
        return Counter(image.astype(np.uint8).tobytes() + bytes([label]) for image, label in pairs)

    every = sklearn_digits()
    # The two sides partition the 1,797 rows: each row is in one side or the other, never both.
    assert rows(dataset.search.images, dataset.search.labels) + rows(dataset.test.images, dataset.test.labels) == rows(
        every.images[..., np.newaxis], every.target
    )
    np.testing.assert_array_equal(load_digits().test.labels, dataset.test.labels)  # the same for every search
