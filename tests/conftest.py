from __future__ import annotations

import copy
from typing import Any

import pytest

from searches.presets import preset


@pytest.fixture
def small_spec() -> dict[str, Any]:
    """A quick synthetic search over one trait of each type."""
    return {
        "name": "small",
        "dataset": "digits",
        "objective": "synthetic",
        "seed": 7,
        "ga": {"population": 6, "generations": 3, "elite_previous": 3, "elite_all_time": 3, "immigrants": 1},
        "traits": [
            {"name": "flag", "type": "bool"},
            {"name": "width", "type": "int", "low": 1, "high": 9, "step": 2},
            {"name": "dropout", "type": "float", "low": 0.0, "high": 0.5},
            {"name": "learning_rate", "type": "geometric_float", "low": 0.0001, "high": 0.1},
            {"name": "units", "type": "geometric_int", "low": 8, "high": 256, "step": 2},
            {"name": "optimizer", "type": "choice", "choices": ["sgd", "adam", "rmsprop"]},
        ],
    }


@pytest.fixture
def synthetic_spec() -> dict[str, Any]:
    """The shipped synthetic example: the reference space and the reference algorithm."""
    return copy.deepcopy(preset("synthetic"))
