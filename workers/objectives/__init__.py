"""Objectives: what scores a genome. Each is loaded once per process and kept."""

from __future__ import annotations

from .base import (
    CandidateCancelled,
    CandidateFailed,
    EvaluationRequest,
    EvaluationResult,
    FinalResult,
    HostCannotTrain,
    Objective,
    SearchFatal,
)
from .function import CandidateStopped, FunctionObjective
from .registry import ENTRY_POINT_GROUP, Offer, get_objective, offers, registered

__all__ = [
    "ENTRY_POINT_GROUP",
    "CandidateCancelled",
    "CandidateFailed",
    "CandidateStopped",
    "EvaluationRequest",
    "EvaluationResult",
    "FinalResult",
    "FunctionObjective",
    "HostCannotTrain",
    "Objective",
    "Offer",
    "SearchFatal",
    "get_objective",
    "offers",
    "registered",
]
