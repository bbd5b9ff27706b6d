"""The ``function`` kind of objective: the user's own Python ``train(genome, report)``, any framework.

gaweb gives the function a genome (a plain dict of trait values) and a ``report`` callable.
The function trains however it likes, calls ``report(epoch, **metrics)`` after each epoch
(or boosting round, or any step it counts), and returns its fitness: a number, or a dict of
metrics that holds the objective's fitness metric. ``report`` feeds the live learning curve
and the search's early-stopping rule; when the rule stops the candidate, ``report`` raises
``CandidateStopped`` (Optuna's ``TrialPruned`` plays the same part), and gaweb records the
last reported value as the candidate's fitness. The function need not catch it.

``report`` also says what this training is: ``report.seed`` (a seed for its randomness: the
same genome in the same search gets the same one, its confirmation another), ``report.epochs``
(the search's ``training.epochs``), ``report.final`` and ``report.share(epoch)`` (the share of its
training data an epoch should train on: below 1 for the first epochs where successive halving's
resource is ``images`` or ``both``). A function that declares
``train.trains_final = True`` can be trained at last ("Train the best on all data"): gaweb then
calls it once more for each of the search's best with ``report.final`` true; it trains on all its
training data, hands gaweb the trained model's file with ``report.save_model(path)`` (any
format: gaweb keeps the bytes and offers them as the search's best model) and returns its
measure on its own held-out test data: ``{"test_accuracy": ...}`` (for a metric ``val_X``, the
key ``test_X``; the metric's own key is taken where that is missing). In a search's candidates
``save_model`` keeps nothing: hundreds of models would be stored for one download.

Anything else the function raises fails that candidate, with the error as its reason; the
search goes on. gaweb never runs code a spec names: only functions registered on the worker
(``workers.objectives.registry``) can be chosen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .base import CandidateFailed, EvaluationRequest, EvaluationResult, FinalResult

# The metric a function's report and result name by default: what the keras objective reports.
DEFAULT_METRIC = "val_accuracy"
# A minimised metric's fitness is its negative: gaweb's rankings, strategies and stopping rules
# all take higher as better.
DIRECTIONS = {"maximize": 1.0, "minimize": -1.0}


class CandidateStopped(Exception):
    """Raised by ``report`` when the search's early-stopping rule stops this candidate.

    Let it propagate: gaweb catches it and keeps the last reported value as the fitness.
    """


class Report:
    """What a ``train(genome, report)`` function is given besides its genome (see the module's docstring).

    Call it after each epoch: ``report(epoch, **metrics)``.
    """

    def __init__(self, objective: FunctionObjective, request: EvaluationRequest, *, final: bool = False):
        self._objective, self._request = objective, request
        self.final = final
        self.seed = request.training_seed
        self.epochs = request.settings.final_epochs if final else request.training.epochs
        self.history: list[dict[str, Any]] = []
        self.model: tuple[str, bytes] | None = None

    def share(self, epoch: int) -> float:
        """The share of its training data ``epoch`` (from 1) should train on: below 1 for the first epochs
        where successive halving's resource is ``images`` or ``both``, the first that many of a fixed
        order, each going on from the last epoch's weights; 1.0 otherwise, and in a final training."""
        return 1.0 if self.final else self._request.image_share(epoch)

    def __call__(self, epoch: int, **metrics: Any) -> None:
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
            raise CandidateFailed(f"report() takes the epoch as a whole number from 1, not {epoch!r}")
        values = {name: number(value, f"report(): {name}") for name, value in metrics.items()}
        self.history.append({"epoch": epoch, **values})
        metric, sign = self._objective.metric, self._objective.sign
        if metric in values:
            # The stopping rule and the live curve read ``val_accuracy``: the fitness, whatever its name.
            go_on = self._request.go_on(epoch, {**values, "val_accuracy": sign * values[metric]})
            # A stop at the last epoch (training.epochs) would change nothing: the candidate ends as trained.
            if not go_on and epoch < self.epochs:
                raise CandidateStopped(f"stopped by the search's early-stopping rule at epoch {epoch}")

    def save_model(self, path: str | Path) -> None:
        """Hand gaweb the trained model's file: in a final training it is the search's best model,
        downloaded under its own suffix (``.joblib``, ``.pt``, ``.keras``...). The file is read now,
        so it may be deleted afterwards. In a search's candidates it is only checked, not kept."""
        file = Path(path)
        if not file.is_file():
            raise CandidateFailed(f"save_model({str(path)!r}): no such file")
        if self.final:
            self.model = (file.name, file.read_bytes())

    def reported(self) -> list[float]:
        return [row[self._objective.metric] for row in self.history if self._objective.metric in row]


class FunctionObjective:
    """Adapts ``train(genome, report) -> float | dict`` to gaweb's ``Objective`` interface.

    ``metric`` names the value that is the fitness: the key that ``report`` and a returned dict
    give it under; ``direction`` says whether it is maximised or minimised (a loss).
    ``trains_final``: the function can be trained at last (``report.final``).
    """

    def __init__(
        self, train: Callable[..., Any], *, metric: str = DEFAULT_METRIC, direction: str = "maximize",
        trains_final: bool = False,
    ):  # fmt: skip
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be maximize or minimize, not {direction!r}")
        self.train, self.metric, self.sign = train, metric, DIRECTIONS[direction]
        self.trains_final = trains_final

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        report = Report(self, request)
        returned, stopped, seconds = self._call(request, report)
        fitness = self.sign * report.reported()[-1] if stopped else self._fitness(returned)
        return EvaluationResult(
            accuracy=fitness,
            parameter_count=_parameters(returned),
            train_seconds=seconds,
            history=report.history,
            timings={"fit": seconds},
            stopped=stopped,
        )

    def train_final(self, request: EvaluationRequest) -> FinalResult:
        if not self.trains_final:
            raise CandidateFailed(
                "this function cannot be trained at last: it does not declare trains_final = True (see report.final)"
            )
        report = Report(self, request, final=True)
        returned, stopped, seconds = self._call(request, report)
        if stopped:  # the search's stopping rule does not stop a final training; kept for a function that raises it
            raise CandidateFailed("a final training was stopped: it has no measure on held-out data")
        test, test_loss = final_measure(returned, self.metric, self.sign)
        name, data = report.model or ("", b"")
        return FinalResult(
            test_accuracy=test, test_loss=test_loss, parameter_count=_parameters(returned), train_seconds=seconds,
            model=data, model_filename=name, history=report.history, timings={"fit": seconds},
        )  # fmt: skip

    def _call(self, request: EvaluationRequest, report: Report) -> tuple[Any, bool, float]:
        started = time.perf_counter()
        try:
            return self.train(dict(request.genome), report), False, time.perf_counter() - started
        except CandidateStopped:
            if not report.reported():
                raise CandidateFailed("CandidateStopped was raised before any report of the metric") from None
            return None, True, time.perf_counter() - started
        except CandidateFailed:
            raise
        except Exception as error:  # the user's code: this candidate fails, the search goes on
            raise CandidateFailed(f"{type(error).__name__}: {error}") from error

    def _fitness(self, returned: Any) -> float:
        if isinstance(returned, Mapping):
            if self.metric not in returned:
                raise CandidateFailed(
                    f"the function returned a dict without {self.metric!r} (its keys: {', '.join(map(str, returned))})"
                )
            return self.sign * number(returned[self.metric], f"the returned {self.metric!r}")
        return self.sign * number(returned, "the returned fitness")


def held_out_key(metric: str) -> str:
    """Where a final training's result holds its held-out measure: ``val_accuracy`` -> ``test_accuracy``."""
    return "test_" + metric.removeprefix("val_")


def final_measure(returned: Any, metric: str, sign: float) -> tuple[float, float | None]:
    """A final training's (test figure, test loss) from what the function or command returned.

    The test figure is signed as a fitness is (a minimised metric's is its negative), so that
    final results rank as candidates do; a ``test_loss`` beside it is kept as it is.
    """
    if not isinstance(returned, Mapping):
        return sign * number(returned, "the final training's returned measure"), None
    key = held_out_key(metric) if held_out_key(metric) in returned else metric
    if key not in returned:
        raise CandidateFailed(
            f"a final training returns its measure on held-out data as {held_out_key(metric)!r}"
            f" (its keys: {', '.join(map(str, returned)) or 'none'})"
        )
    loss = returned.get("test_loss")
    return sign * number(returned[key], f"the final training's {key!r}"), (
        None if loss is None else number(loss, "test_loss")
    )


def _parameters(returned: Any) -> int:
    parameters = returned.get("parameter_count", 0) if isinstance(returned, Mapping) else 0
    return int(number(parameters, "parameter_count"))


def number(value: Any, what: str) -> float:
    """A finite number, or the candidate fails saying what came back instead."""
    if isinstance(value, bool) or (not isinstance(value, int | float) and not hasattr(value, "__float__")):
        raise CandidateFailed(f"{what} must be a number, not {type(value).__name__} {str(value)[:60]!r}")
    number = float(value)
    if not math.isfinite(number):
        raise CandidateFailed(f"{what} is {number}: a fitness must be a finite number")
    return number
