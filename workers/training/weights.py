"""A network to a ``.keras`` file's bytes and back: a final model, or a candidate paused at a rung of
its bracket, kept in the database for whichever machine takes it up."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .quietly import keras


class WeightsUnreadable(Exception):
    """The bytes are not a network this process can load."""


def network_bytes(model) -> bytes:
    """The network, optimizer state and all, as a ``.keras`` file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def network_from(data: bytes):
    """The network that ``network_bytes`` saved, compiled, its optimizer where it was."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        try:
            return keras.saving.load_model(path)
        except Exception as error:
            raise WeightsUnreadable(f"{type(error).__name__}: {error}") from error
