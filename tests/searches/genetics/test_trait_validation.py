from __future__ import annotations

import pytest

from searches.genetics import Space, SpecError

CASES = [
    ({"name": "x", "type": "int", "low": 5, "high": 1}, "[0].high", "empty or inverted"),
    ({"name": "x", "type": "float", "low": 1.0, "high": 1.0}, "[0].high", "empty or inverted"),
    ({"name": "x", "type": "geometric_float", "low": 0, "high": 1}, "[0].low", "greater than 0"),
    ({"name": "x", "type": "geometric_float", "low": -1, "high": 1}, "[0].low", "greater than 0"),
    ({"name": "x", "type": "geometric_int", "low": 0, "high": 8}, "[0].low", "at least 1"),
    ({"name": "x", "type": "tensor", "low": 0, "high": 8}, "[0].type", "unknown trait type 'tensor'"),
    ({"name": "x"}, "[0].type", "required"),
    ({"name": "Learning-Rate", "type": "bool"}, "[0].name", "not a valid name"),
    ({"name": "1st", "type": "bool"}, "[0].name", "not a valid name"),
    ({"type": "bool"}, "[0].name", "required"),
    ({"name": "x", "type": "choice", "choices": []}, "[0].choices", "at least one"),
    ({"name": "x", "type": "choice", "choices": ["a", "a"]}, "[0].choices", "listed twice"),
    ({"name": "x", "type": "int", "low": 0.5, "high": 3}, "[0].low", "integer"),
    ({"name": "x", "type": "float", "low": "0", "high": 3}, "[0].low", "finite number"),
    ({"name": "x", "type": "float", "low": float("nan"), "high": 3}, "[0].low", "finite number"),
    ({"name": "x", "type": "float", "low": 0, "high": float("inf")}, "[0].high", "finite number"),
    ({"name": "x", "type": "int", "low": 0, "high": 10, "step": 3}, "[0].step", "whole number of steps"),
    ({"name": "x", "type": "int", "low": 0, "high": 10, "step": 0}, "[0].step", "greater than 0"),
    ({"name": "x", "type": "geometric_int", "low": 16, "high": 100, "step": 2}, "[0].step", "whole power"),
    ({"name": "x", "type": "geometric_float", "low": 1, "high": 8, "step": 1}, "[0].step", "ratio greater than 1"),
    ({"name": "x", "type": "bool", "low": 0}, "[0].low", "unexpected key"),
    ({"name": "x", "type": "int", "low": 0, "high": 10**12}, "[0].high", "more than 100,000 integers"),
]


@pytest.mark.parametrize(("spec", "path", "message"), CASES, ids=[c[2] + "-" + str(i) for i, c in enumerate(CASES)])
def test_it_rejects_a_bad_trait_with_a_message_on_the_field(spec, path, message):
    with pytest.raises(SpecError) as caught:
        Space.from_spec([spec])
    assert path in caught.value.errors
    assert any(message in text for text in caught.value.errors[path])


def test_it_rejects_duplicate_trait_names():
    with pytest.raises(SpecError) as caught:
        Space.from_spec([{"name": "a", "type": "bool"}, {"name": "a", "type": "bool"}])
    assert caught.value.errors == {"[1].name": ["duplicate trait name 'a'"]}


def test_it_reports_every_bad_trait_at_once():
    with pytest.raises(SpecError) as caught:
        Space.from_spec([{"name": "A", "type": "bool"}, {"name": "b", "type": "int", "low": 3, "high": 1}])
    assert set(caught.value.errors) == {"[0].name", "[1].high"}


def test_it_reports_a_bad_name_and_an_inverted_range_of_one_trait_together():
    with pytest.raises(SpecError) as caught:
        Space.from_spec([{"name": "X", "type": "int", "low": 3, "high": 1}])
    assert set(caught.value.errors) == {"[0].name", "[0].high"}


def test_it_rejects_an_empty_list_of_traits():
    with pytest.raises(SpecError, match="at least one trait"):
        Space.from_spec([])


def test_it_rejects_too_many_traits():
    with pytest.raises(SpecError, match="at most 64 traits"):
        Space.from_spec([{"name": f"t{i}", "type": "bool"} for i in range(65)])
