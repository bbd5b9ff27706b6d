"""Bracket promotion pauses a generation's candidates at each rung and resumes the best from their
stored weights: a spec that cannot do so is refused at ``training.early_stopping.promotion``."""

from __future__ import annotations

import pytest

from searches.genetics import SpecError
from searches.spec.search import parse_spec

FIELD = "training.early_stopping.promotion"


def spec(ga=None, objective="synthetic", **stopping) -> dict:
    return {
        "name": "bracket", "dataset": "digits", "objective": objective, "seed": 1,
        "ga": {"population": 6, "generations": 2, "elite_previous": 3, "elite_all_time": 3, **(ga or {})},
        "training": {"epochs": 3, "early_stopping": {"rule": "successive_halving", "promotion": "bracket", **stopping}},
        "traits": [{"name": "learning_rate", "type": "geometric_float", "low": 0.001, "high": 0.1}],
    }  # fmt: skip


def refusal(raw: dict, **known) -> list[str]:
    with pytest.raises(SpecError) as refused:
        parse_spec(raw, **known)
    return refused.value.errors[FIELD]


def test_a_generational_search_of_a_built_in_objective_may_use_brackets():
    parsed = parse_spec(spec())
    assert parsed.stopping_rule.promotion == "bracket"
    assert parse_spec(spec(objective="keras")).stopping_rule.to_spec()["promotion"] == "bracket"


def test_steady_state_is_refused():
    assert "needs ga.mode generational" in refusal(spec({"mode": "steady_state"}))[0]


def test_cached_duplicates_are_refused():
    assert 'needs ga.duplicates "rebreed"' in refusal(spec({"duplicates": "cache"}))[0]


def test_an_objective_that_cannot_resume_is_refused():
    known = {"objectives": {"synthetic": None, "keras": None, "my_function": None}}
    assert "keras and synthetic objectives" in refusal(spec(objective="my_function"), **known)[0]


def test_an_unknown_promotion_is_refused():
    with pytest.raises(SpecError) as refused:
        parse_spec(spec(promotion="sometimes"))
    assert "choose one of: asynchronous, bracket" in refused.value.errors[FIELD][0]
