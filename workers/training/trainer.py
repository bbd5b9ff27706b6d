"""Trains one candidate network on an in-memory split and reports what happened."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .quietly import keras  # first: TensorFlow's start-up lines kept off the terminal

# isort: split
from searches.spec.catalog import TUTORIAL_GENOME

from .builder import build_model, compile_model
from .datasets import FinalData, Split
from .weights import network_bytes, network_from

# A user's own network: ``build(genome, input_shape, num_classes)`` returns a compiled ``keras.Model``.
Builder = Callable[[Mapping[str, Any], tuple[int, ...], int], Any]
# The batch size of a user's network whose genome has no ``batch_size`` trait: Keras's own default.
DEFAULT_BATCH_SIZE = 32


def complete_genome(genome: Mapping[str, Any]) -> dict[str, Any]:
    """The genome with every trait it leaves out set to the tutorial's value (what the builder needs)."""
    return {**TUTORIAL_GENOME, **genome}


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
    weights: bytes | None = None  # the stopped network, where asked to keep it (a .keras file's bytes)


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
    build: Builder | None = None,
    share: Callable[[int], float] | None = None,
    resume: tuple[int, bytes] | None = None,
    keep_weights: bool = False,
) -> TrainingOutcome:
    """Build, compile and fit the genome's network; the accuracy is the last epoch's on validation.

    ``go_on(epoch, metrics)``, when given, is asked after each epoch whether to train on.
    ``build``: the user's own network instead of gaweb's (it gets the standardised images).
    ``share(epoch)``: the share of the training images that epoch trains on (the images resource
    of successive halving): the first that many of them, the same for every candidate, since the
    split is already in a random order. None: every epoch on all of them.
    ``resume``: (epochs trained, a ``.keras`` file's bytes): go on from that network, optimizer
    state and all (successive halving by brackets promotes a paused candidate so); its history
    then holds the epochs after those. ``keep_weights``: a stopped candidate's network is saved
    (``TrainingOutcome.weights``), for its bracket to promote.
    """
    g = complete_genome(genome) if build is None else dict(genome)
    if resume is not None:
        try:
            model, built = _build(g, seed, lambda: network_from(resume[1]))
        except TrainingFailed as error:  # the weights it paused with, as this process cannot read them
            raise TrainingFailed(f"cannot take it up from its rung: {error}") from error
    elif build is None:
        model, built = _build(
            g, seed, lambda: build_model(g, input_shape=data.input_shape, num_classes=data.num_classes)
        )
    else:
        model, built = _build(g, seed, lambda: _users(build, g, data.input_shape, data.num_classes))
    asking = _AskAfterEachEpoch(go_on) if go_on is not None else None
    first = resume[0] if resume is not None else 0
    rows, trained = _fit_growing(
        model, g, data, epochs, (data.x_val, data.y_val), asking, share or (lambda epoch: 1.0), first=first
    )  # fmt: skip
    if "val_accuracy" not in rows[-1]:
        raise TrainingFailed("the network reports no val_accuracy: compile it with metrics=['accuracy']")
    stopped = asking is not None and asking.stopped and rows[-1]["epoch"] < epochs
    return TrainingOutcome(
        accuracy=rows[-1]["val_accuracy"],
        parameter_count=int(model.count_params()),
        history=rows,
        timings={"build": built, "fit": trained},
        stopped=stopped,
        weights=network_bytes(model) if stopped and keep_weights else None,
    )


@dataclass
class FinalOutcome:
    """A final model: measured once on the test split, and saved (``model``: a ``.keras`` file's bytes)."""

    test_accuracy: float
    test_loss: float
    parameter_count: int
    history: list[dict[str, Any]]
    model: bytes
    timings: dict[str, float] = field(default_factory=dict)
    # On the share of the training images held out of the final training (None: none held out).
    validation_accuracy: float | None = None


def train_final(
    genome: Mapping[str, Any],
    data: FinalData,
    *,
    epochs: int,
    seed: int,
    go_on: Callable[[int, Mapping[str, float]], bool] | None = None,
    build: Builder | None = None,
) -> FinalOutcome:
    """Train the genome's network on every training image (but the share held out to choose among
    the final models, measured after training), then measure it on the test split, once.

    The network carries its own preprocessing (scaling and standardisation with the training
    images' statistics), so the saved model takes images as the dataset stores them.
    """
    standardise = (data.scale, data.mean, data.variance)
    if build is None:
        g = complete_genome(genome)

        def make():
            return build_model(g, input_shape=data.input_shape, num_classes=data.num_classes, standardise=standardise)
    else:
        g = dict(genome)

        def make():
            inner = _users(build, g, data.input_shape, data.num_classes)
            return with_preprocessing(inner, data.input_shape, standardise)

    model, built = _build(g, seed, make)
    fitted, trained = _fit(
        model, g, data.x_train, data.y_train, epochs, None, _AskAfterEachEpoch(go_on) if go_on else None
    )
    validation_accuracy = None
    if len(data.y_val):
        validation_accuracy = float(model.evaluate(data.x_val, data.y_val, batch_size=256, verbose=0)[1])
    began = time.perf_counter()
    loss, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=256, verbose=0)
    measured = time.perf_counter() - began
    saved = network_bytes(model)
    return FinalOutcome(
        test_accuracy=float(accuracy),
        test_loss=float(loss),
        parameter_count=int(model.count_params()),
        history=_history_rows(fitted.history),
        model=saved,
        timings={"build": built, "fit": trained, "test": measured},
        validation_accuracy=validation_accuracy,
    )


def _build(genome: Mapping[str, Any], seed: int, build: Callable[[], keras.Model]) -> tuple[keras.Model, float]:
    # Drop Keras's global state from the previous candidate. Not its full garbage collection:
    # that costs 0.2-0.4 s a candidate and grows, because TensorFlow keeps the traced graphs
    # of every fit alive in the process anyway (bounded by GAWEB_WORKER_MAX_MEMORY_MB).
    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    try:
        model = build()
        if not model.compiled:  # gaweb's own networks; a user's comes compiled
            compile_model(model, genome)
    except TrainingFailed:
        raise
    except MemoryError as error:
        raise TrainingFailed(f"out of memory while building: {error}", out_of_memory=True) from error
    except Exception as error:
        raise TrainingFailed(f"cannot build this network: {type(error).__name__}: {error}") from error
    return model, time.perf_counter() - started


def _fit(model, genome, x, y, epochs: int, validation, asking: _AskAfterEachEpoch | None, *, first: int = 0):
    """``model.fit`` with the NaN guard and, when given, the question after each epoch; (history, seconds).
    ``first``: the epochs already trained (Keras's ``initial_epoch``), so that epochs are numbered on."""
    callbacks: list[keras.callbacks.Callback] = [_StopAtBrokenEpoch()]
    if asking is not None:
        callbacks.append(asking)
    started = time.perf_counter()
    try:
        fitted = model.fit(
            x, y, batch_size=genome.get("batch_size", DEFAULT_BATCH_SIZE), epochs=epochs,
            validation_data=validation, callbacks=callbacks, verbose=0, initial_epoch=first,
        )  # fmt: skip
    except Exception as error:
        if _is_out_of_memory(error):
            raise TrainingFailed(f"out of memory: {type(error).__name__}", out_of_memory=True) from error
        raise
    losses = fitted.history.get("loss", [])
    broken = [epoch for epoch, loss in enumerate(losses, start=1) if not math.isfinite(loss)]
    if broken or not losses:
        raise TrainingFailed(f"the loss became NaN or infinite in epoch {first + (broken[0] if broken else 1)}")
    return fitted, time.perf_counter() - started


def _fit_growing(model, genome, data: Split, epochs: int, validation, asking, share: Callable[[int], float], *, first):
    """``_fit`` with the images growing: one fit per epoch on a share of the images, each going on from
    the weights the last left, then one fit of the remaining epochs on all; (history rows, seconds).
    ``first``: the epochs the network has trained already (it goes on after them)."""
    rows: list[dict[str, Any]] = []
    seconds, epoch = 0.0, first
    while epoch < epochs and not (asking is not None and asking.stopped):
        part = share(epoch + 1)
        count = _whole_batches(part, len(data.y_train), genome.get("batch_size", DEFAULT_BATCH_SIZE))
        last = epochs if count >= len(data.y_train) else epoch + 1
        fitted, took = _fit(
            model, genome, data.x_train[:count], data.y_train[:count], last, validation, asking, first=epoch
        )  # fmt: skip
        rows += [{**row, "epoch": row["epoch"] + epoch} for row in _history_rows(fitted.history)]
        seconds += took
        if len(fitted.history.get("loss", [])) < last - epoch:
            break  # stopped within this fit
        epoch = last
    return rows, seconds


def _whole_batches(share: float, images: int, batch: int) -> int:
    """How many images an epoch on ``share`` of them trains on: rounded up to whole batches, so that
    no epoch on a share ends with a batch of a shape of its own (TensorFlow would trace the training
    step again for it, a second or two a candidate); all of them from a share of 1."""
    if share >= 1:
        return images
    return min(images, max(1, math.ceil(share * images / batch)) * batch)


def _users(build: Builder, genome: Mapping[str, Any], input_shape, num_classes: int):
    """The user's network for ``genome``, which must come compiled (gaweb knows nothing of its loss)."""
    model = build(genome, tuple(input_shape), num_classes)
    if not isinstance(model, keras.Model):
        raise TrainingFailed(f"the builder returned {type(model).__name__}, not a keras.Model")
    if not model.compiled:
        raise TrainingFailed("the builder must return a compiled model: model.compile(..., metrics=['accuracy'])")
    return model


def with_preprocessing(inner, input_shape, standardise):
    """``inner`` behind gaweb's preprocessing (pixels as stored -> scaled and standardised), compiled
    as ``inner`` was, so that a final user network takes images as the dataset stores them too."""
    scale, mean, variance = standardise
    inputs = keras.Input(shape=tuple(input_shape))
    x = keras.layers.Rescaling(1.0 / scale, name="gaweb_rescaling")(inputs)
    x = keras.layers.Normalization(
        mean=list(map(float, mean)), variance=list(map(float, variance)), name="gaweb_standardise"
    )(x)
    # The user's layers, in a model of their own that is not compiled: a compiled model nested in
    # another makes Keras warn, at every load, of optimizer variables it cannot restore.
    network = keras.Model(inner.inputs, inner.outputs, name=inner.name)
    model = keras.Model(inputs, network(x), name=inner.name)
    model.compile(optimizer=inner.optimizer, loss=inner.loss, metrics=["accuracy"])
    return model


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
