"""The one small interface every objective implements, and the kinds of error it may raise."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from searches.genetics import genome_hash
from searches.spec.search import SearchSpec
from searches.spec.training import TrainingSettings


@dataclass(frozen=True)
class EvaluationRequest:
    """What an objective needs to score one genome: the genome and its search's settings."""

    entity_id: int
    genome: Mapping[str, Any]
    # The search's stored spec, in the normal form of searches.spec.search.
    spec: Mapping[str, Any]
    # Called after each epoch with (epoch, metrics); it says whether training goes on (False:
    # stop now). The objective knows nothing of why: the search's early-stopping rule decides.
    on_epoch: Callable[[int, Mapping[str, float]], bool] | None = None
    # 0 for a candidate's first training; 1 for its confirmation, from other initial weights.
    replicate: int = 0
    # Say whether the candidate is no longer this worker's (given to another after a silence), and
    # whether its search has ended (cancelled): an objective that waits on something else (a
    # command's program) stops then. None: never asked.
    cut_off: Callable[[], bool] | None = None
    search_ended: Callable[[], bool] | None = None
    # Successive halving by brackets: a candidate promoted from a rung goes on after ``resume_epoch``
    # epochs, from ``resume_weights`` (a ``.keras`` file's bytes; empty for an objective with no
    # weights); ``keep_weights``: a candidate stopped at a rung hands back its weights (``weights``).
    resume_epoch: int = 0
    resume_weights: bytes | None = None
    keep_weights: bool = False

    def go_on(self, epoch: int, metrics: Mapping[str, float]) -> bool:
        return True if self.on_epoch is None else self.on_epoch(epoch, metrics)

    def abandoned(self) -> bool:
        return self.cut_off is not None and self.cut_off()

    def cancelled(self) -> bool:
        return self.search_ended is not None and self.search_ended()

    @property
    def training_seed(self) -> int:
        """The same genome in the same search starts from the same weights; a confirmation from others."""
        return (self.seed + int(genome_hash(self.genome)[:8], 16) + 7919 * self.replicate) % 2**31

    @cached_property
    def settings(self) -> SearchSpec:
        """The search's spec, typed (read once per request)."""
        return SearchSpec.from_stored(self.spec)

    @property
    def seed(self) -> int:
        return self.settings.seed

    @property
    def training(self) -> TrainingSettings:
        return self.settings.training

    @cached_property
    def image_shares(self) -> tuple[float, ...] | None:
        """The share of the training images each epoch trains on, in order, where successive halving's
        resource is ``images`` or ``both`` (the first epochs on a growing share); None: all, every epoch."""
        rule = self.settings.stopping_rule
        if rule is None or not rule.images_grow():
            return None
        return tuple(rule.share(epoch) for epoch in range(1, self.training.epochs + 1))

    def image_share(self, epoch: int) -> float:
        """The share of its training images ``epoch`` (from 1) trains on: the first that many of a fixed order."""
        shares = self.image_shares
        return 1.0 if shares is None or epoch > len(shares) else shares[epoch - 1]


@dataclass(frozen=True)
class EvaluationResult:
    accuracy: float
    parameter_count: int
    train_seconds: float
    history: list[dict[str, Any]] = field(default_factory=list)
    # Where the time went, in seconds (e.g. dataset, build, fit), for the overhead figures.
    timings: dict[str, float] = field(default_factory=dict)
    # What the dataset gave the network ({"input_shape": [...], "class_names": [...]}), for the downloads.
    dataset_info: dict[str, Any] | None = None
    # Stopped before its last epoch (``on_epoch`` said so): the accuracy is the last epoch's.
    stopped: bool = False
    # A stopped candidate's trained network, where the request asked to keep it (``keep_weights``).
    weights: bytes | None = None


@dataclass(frozen=True)
class FinalResult:
    """A final training: the network measured once on the test split, and the saved model's bytes."""

    test_accuracy: float
    test_loss: float | None
    parameter_count: int
    train_seconds: float
    model: bytes
    history: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # On the images held out of every final training of the search alike; None: none held out.
    validation_accuracy: float | None = None
    # The model file's own name, whose suffix the download keeps (a function's may be .joblib, .pt).
    model_filename: str = "best.keras"


class CandidateFailed(Exception):
    """This candidate cannot be trained (out of memory, NaN loss, impossible shape).

    It is recorded as failed with the message as its reason; the search goes on.
    ``recycle_process`` asks for a fresh worker process before the next candidate
    (after running out of memory, the old one may not recover).
    """

    def __init__(self, message: str, *, recycle_process: bool = False):
        super().__init__(message)
        self.recycle_process = recycle_process


class CandidateCancelled(Exception):
    """The candidate's search ended while it trained, and the objective stopped training it.

    It ends as cancelled, with no result, as the search's queued candidates do.
    """


class SearchFatal(Exception):
    """No candidate of this search can be trained (its dataset is missing, say).

    The search is failed with the message, which the dashboard shows.
    """


class HostCannotTrain(Exception):
    """This machine cannot train this search (its dataset is not here); another machine may.

    The worker hands the candidate back to the queue for the other machines, untrained, and
    takes no more of the search's candidates. The search fails only when no machine with a
    worker listening can train it.
    """


class Objective(Protocol):
    def evaluate(self, request: EvaluationRequest) -> EvaluationResult: ...

    def train_final(self, request: EvaluationRequest) -> FinalResult:
        """Train the genome on every training image and measure it on the test split (final training)."""
        ...
