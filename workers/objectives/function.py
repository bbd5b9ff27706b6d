"""The ``function`` kind of objective: the user's own Python ``train(genome, report)``, any framework.

gaweb gives the function a genome (a plain dict of trait values) and a ``report`` callable.
The function trains however it likes, calls ``report(epoch, **metrics)`` after each epoch
(or boosting round, or any step it counts), and returns its fitness: a number, or a dict of
metrics that holds the objective's fitness metric. ``report`` feeds the live learning curve
and the search's early-stopping rule; when the rule stops the candidate, ``report`` raises
``CandidateStopped`` (Optuna's ``TrialPruned`` plays the same part), and gaweb records the
last reported value as the candidate's fitness. The function need not catch it.

Anything else the function raises fails that candidate, with the error as its reason; the
search goes on. gaweb never runs code a spec names: only functions registered on the worker
(``workers.objectives.registry``) can be chosen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from .base import CandidateFailed, EvaluationRequest, EvaluationResult

# The metric a function's report and result name by default: what the keras objective reports.
DEFAULT_METRIC = "val_accuracy"
# A minimised metric's fitness is its negative: gaweb's rankings, strategies and stopping rules
# all take higher as better.
DIRECTIONS = {"maximize": 1.0, "minimize": -1.0}


class CandidateStopped(Exception):
    """Raised by ``report`` when the search's early-stopping rule stops this candidate.

    Let it propagate: gaweb catches it and keeps the last reported value as the fitness.
    """


class FunctionObjective:
    """Adapts ``train(genome, report) -> float | dict`` to gaweb's ``Objective`` interface.

    ``metric`` names the value that is the fitness: the key that ``report`` and a returned dict
    give it under; ``direction`` says whether it is maximised or minimised (a loss).
    """

    def __init__(self, train: Callable[..., Any], *, metric: str = DEFAULT_METRIC, direction: str = "maximize"):
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be maximize or minimize, not {direction!r}")
        self.train, self.metric, self.sign = train, metric, DIRECTIONS[direction]

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        history: list[dict[str, Any]] = []

        def report(epoch: int, **metrics: Any) -> None:
            if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
                raise CandidateFailed(f"report() takes the epoch as a whole number from 1, not {epoch!r}")
            values = {name: number(value, f"report(): {name}") for name, value in metrics.items()}
            row = {"epoch": epoch, **values}
            history.append(row)
            if self.metric in values:
                # The stopping rule and the live curve read ``val_accuracy``: the fitness, whatever its name.
                go_on = request.go_on(epoch, {**values, "val_accuracy": self.sign * values[self.metric]})
                # A stop at the last epoch (training.epochs) would change nothing: the candidate ends as trained.
                if not go_on and epoch < request.training.get("epochs", 1):
                    raise CandidateStopped(f"stopped by the search's early-stopping rule at epoch {epoch}")

        started = time.perf_counter()
        stopped = False
        try:
            returned = self.train(dict(request.genome), report)
        except CandidateStopped:
            stopped = True
            returned = None
        except CandidateFailed:
            raise
        except Exception as error:  # the user's code: this candidate fails, the search goes on
            raise CandidateFailed(f"{type(error).__name__}: {error}") from error
        seconds = time.perf_counter() - started
        if stopped:
            reported = [row[self.metric] for row in history if self.metric in row]
            fitness = self.sign * reported[-1]
        else:
            fitness = self._fitness(returned)
        parameters = returned.get("parameter_count", 0) if isinstance(returned, Mapping) else 0
        return EvaluationResult(
            accuracy=fitness,
            parameter_count=int(number(parameters, "parameter_count")),
            train_seconds=seconds,
            history=history,
            timings={"fit": seconds},
            stopped=stopped,
        )

    def train_final(self, request: EvaluationRequest):
        raise CandidateFailed("final training trains a keras network: this search's objective is a function")

    def _fitness(self, returned: Any) -> float:
        if isinstance(returned, Mapping):
            if self.metric not in returned:
                raise CandidateFailed(
                    f"the function returned a dict without {self.metric!r} (its keys: {', '.join(map(str, returned))})"
                )
            return self.sign * number(returned[self.metric], f"the returned {self.metric!r}")
        return self.sign * number(returned, "the returned fitness")


def number(value: Any, what: str) -> float:
    """A finite number, or the candidate fails saying what came back instead."""
    if isinstance(value, bool) or (not isinstance(value, int | float) and not hasattr(value, "__float__")):
        raise CandidateFailed(f"{what} must be a number, not {type(value).__name__} {str(value)[:60]!r}")
    number = float(value)
    if not math.isfinite(number):
        raise CandidateFailed(f"{what} is {number}: a fitness must be a finite number")
    return number
