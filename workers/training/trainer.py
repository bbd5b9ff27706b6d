"""Trains one candidate network on an in-memory split and reports what happened."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import keras

from .builder import build_model, compile_model, complete_genome
from .datasets import Split


class TrainingFailed(Exception):
    """The candidate cannot be trained; ``out_of_memory`` asks for a fresh process."""

    def __init__(self, message: str, *, out_of_memory: bool = False):
        super().__init__(message)
        self.out_of_memory = out_of_memory


@dataclass
class TrainingOutcome:
    accuracy: float
    parameter_count: int
    history: list[dict[str, Any]]
    timings: dict[str, float] = field(default_factory=dict)
    stopped: bool = False  # told to stop before the last epoch


class _StopAtBrokenEpoch(keras.callbacks.Callback):
    """Stops training after an epoch whose loss is NaN or infinite.

    It looks at whole epochs only: a callback with batch hooks (like Keras's
    TerminateOnNaN) makes Keras wait for every batch, which costs throughput.
    """

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.model.stop_training = True


class _AskAfterEachEpoch(keras.callbacks.Callback):
    """After each epoch, asks ``go_on(epoch, logs)`` whether to train on; stops when it says no.

    The trainer knows nothing of why (the search's early-stopping rule decides), and it
    asks at epoch ends only, so Keras never waits on it within an epoch.
    """

    def __init__(self, go_on):
        super().__init__()
        self.go_on = go_on
        self.stopped = False

    def on_epoch_end(self, epoch, logs=None):
        if self.model.stop_training:
            return  # broken already: the NaN guard stopped it
        metrics = {name: float(value) for name, value in (logs or {}).items()}
        if not self.go_on(epoch + 1, metrics):
            self.model.stop_training = True
            self.stopped = True


def train_candidate(
    genome: Mapping[str, Any],
    data: Split,
    *,
    epochs: int,
    seed: int,
    go_on: Callable[[int, Mapping[str, float]], bool] | None = None,
) -> TrainingOutcome:
    """Build, compile and fit the genome's network; the accuracy is the last epoch's on validation.

    ``go_on(epoch, metrics)``, when given, is asked after each epoch whether to train on.
    """
    # Drop Keras's global state from the previous candidate. Not its full garbage collection:
    # that costs 0.2-0.4 s a candidate and grows, because TensorFlow keeps the traced graphs
    # of every fit alive in the process anyway (bounded by GAWEB_WORKER_MAX_MEMORY_MB).
    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(seed)
    g = complete_genome(genome)
    started = time.perf_counter()
    try:
        model = compile_model(build_model(g, input_shape=data.input_shape, num_classes=data.num_classes), g)
    except MemoryError as error:
        raise TrainingFailed(f"out of memory while building: {error}", out_of_memory=True) from error
    except Exception as error:
        raise TrainingFailed(f"cannot build this network: {type(error).__name__}: {error}") from error
    built = time.perf_counter()
    callbacks: list[keras.callbacks.Callback] = [_StopAtBrokenEpoch()]
    asking = _AskAfterEachEpoch(go_on) if go_on is not None else None
    if asking is not None:
        callbacks.append(asking)
    try:
        fitted = model.fit(
            data.x_train,
            data.y_train,
            batch_size=g["batch_size"],
            epochs=epochs,
            validation_data=(data.x_val, data.y_val),
            callbacks=callbacks,
            verbose=0,
        )
    except Exception as error:
        if _is_out_of_memory(error):
            raise TrainingFailed(f"out of memory: {type(error).__name__}", out_of_memory=True) from error
        raise
    trained = time.perf_counter()
    losses = fitted.history.get("loss", [])
    broken = [epoch for epoch, loss in enumerate(losses, start=1) if not math.isfinite(loss)]
    if broken or not losses:
        raise TrainingFailed(f"the loss became NaN or infinite in epoch {broken[0] if broken else 1}")
    rows = _history_rows(fitted.history)
    accuracy = rows[-1]["val_accuracy"]
    return TrainingOutcome(
        accuracy=accuracy,
        parameter_count=int(model.count_params()),
        history=rows,
        timings={"build": built - started, "fit": trained - built},
        stopped=asking is not None and asking.stopped and len(rows) < epochs,
    )


def _history_rows(history: Mapping[str, list[float]]) -> list[dict[str, Any]]:
    epochs = len(history["loss"])
    return [
        {"epoch": epoch + 1, **{name: round(float(values[epoch]), 6) for name, values in history.items()}}
        for epoch in range(epochs)
    ]


def _is_out_of_memory(error: BaseException) -> bool:
    # TensorFlow: ResourceExhaustedError; PyTorch: OutOfMemoryError; JAX/XLA: RESOURCE_EXHAUSTED in the message.
    name = type(error).__name__
    return (
        isinstance(error, MemoryError)
        or name in ("ResourceExhaustedError", "OutOfMemoryError")
        or ("RESOURCE_EXHAUSTED" in str(error))
    )
