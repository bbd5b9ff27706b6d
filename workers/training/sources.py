"""Where a dataset's images come from: arrays in memory, or image files decoded when first asked for.

An ``ImageSource`` has labels and class names for all its images at once, and hands out
the pixels of the images asked for (``pixels(indices)``), as the dataset stores them:
``uint8`` values from 0 to ``scale`` (255 for photographs, 16 for scikit-learn's digits).
A folder of image files decodes only the images asked for, once each, so that a search
capped at 2,000 training images does not decode 50,000.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger("gaweb.datasets")

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}


class DatasetMissing(Exception):
    """The dataset cannot be loaded; the message says what to do."""


class NoTestSplit(DatasetMissing):
    """The dataset is here but has no test split: no machine could measure a final model on it."""


@dataclass
class InMemory:
    """Images already decoded: ``images`` is ``uint8`` (n, height, width, channels)."""

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    scale: float = 255.0

    def __len__(self) -> int:
        return len(self.labels)

    def pixels(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        return self.images[np.asarray(indices, dtype=np.int64)]


@dataclass
class Folder:
    """Images in class folders (``root/<class>/<image>``), decoded as RGB squares of ``image_size``
    when first asked for, and kept. A file that cannot be decoded is a black image, with a warning."""

    root: Path
    image_size: int
    files: list[Path] = field(init=False)
    labels: np.ndarray = field(init=False)
    class_names: tuple[str, ...] = field(init=False)
    scale: float = 255.0
    _decoded: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        classes = sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        if len(classes) < 2:
            raise DatasetMissing(f"{self.root} must hold one folder per class (at least two), each with images")
        files, labels = [], []
        for label, name in enumerate(classes):
            found = sorted(p for p in (self.root / name).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            files += found
            labels += [label] * len(found)
        if not files:
            raise DatasetMissing(f"no images under {self.root} ({', '.join(sorted(IMAGE_SUFFIXES))})")
        self.files, self.labels, self.class_names = files, np.asarray(labels, dtype=np.int32), tuple(classes)

    def __len__(self) -> int:
        return len(self.files)

    def pixels(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        for index in indices:
            if index not in self._decoded:
                self._decoded[int(index)] = self._decode(self.files[index])
        shape = (self.image_size, self.image_size, 3)
        return np.stack([self._decoded[int(i)] for i in indices]) if len(indices) else np.empty((0, *shape), np.uint8)

    @property
    def decoded(self) -> int:
        """How many images have been decoded so far (a test checks that a cap decodes only what it needs)."""
        return len(self._decoded)

    def _decode(self, path: Path) -> np.ndarray:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                image = image.convert("RGB")
                if image.size != (self.image_size, self.image_size):
                    image = image.resize((self.image_size, self.image_size), Image.Resampling.BILINEAR)
                return np.asarray(image, dtype=np.uint8)
        except (OSError, UnidentifiedImageError) as error:
            log.warning("unreadable image %s, used as a black image: %s", path, error)
            return np.zeros((self.image_size, self.image_size, 3), dtype=np.uint8)


ImageSource = InMemory | Folder
