"""Objectives: what scores a genome. Each is loaded once per process and kept."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from .base import (
    CandidateFailed,
    EvaluationRequest,
    EvaluationResult,
    FinalResult,
    HostCannotTrain,
    Objective,
    SearchFatal,
)

# Imported on first use: a worker that only runs synthetic searches never imports TensorFlow.
OBJECTIVES = {
    "synthetic": "workers.objectives.synthetic.SyntheticObjective",
    "keras": "workers.objectives.keras.KerasObjective",
}


@cache
def get_objective(name: str) -> Objective:
    """The process's one instance of an objective, so that what it loads (datasets) is kept."""
    try:
        path = OBJECTIVES[name]
    except KeyError:
        raise SearchFatal(f"unknown objective {name!r}") from None
    return import_string(path)()


__all__ = [
    "OBJECTIVES",
    "CandidateFailed",
    "EvaluationRequest",
    "EvaluationResult",
    "FinalResult",
    "HostCannotTrain",
    "Objective",
    "SearchFatal",
    "get_objective",
]
