"""The compare page's parallel coordinates label each numeric axis where a reader looks for values: a
2-value integer at its two values (not 2.2, 2.4 ...), a log axis at 1, 2 and 5 times the powers of ten
in its range (not one lone decade), a stepped geometric trait at its grid."""

from __future__ import annotations

import pytest

from searches import services
from searches.models import Search
from searches.reads.comparison import parallel_coordinates
from workers.inline import run_inline


@pytest.fixture
def axes(db, small_spec):
    small_spec["traits"] += [
        {"name": "blocks", "type": "int", "low": 2, "high": 3},
        {"name": "rate", "type": "geometric_float", "low": 0.001, "high": 0.03},
        {"name": "wide", "type": "geometric_float", "low": 1e-7, "high": 10.0},
    ]
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    return {d["name"]: d for d in parallel_coordinates(search)["traits"]}


def test_a_two_value_integer_is_labelled_at_its_two_values(axes):
    assert axes["blocks"]["ticks_at"] == [2.0, 3.0]


def test_a_log_axis_within_two_decades_is_labelled_at_1_2_and_5_times_each_power(axes):
    assert axes["rate"]["ticks_at"] == [0.001, 0.002, 0.005, 0.01, 0.02]


def test_a_log_axis_over_many_decades_keeps_to_the_powers_of_ten(axes):
    assert axes["wide"]["ticks_at"] == [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0]


def test_a_stepped_trait_is_labelled_at_its_grid(axes):
    assert axes["units"]["ticks_at"] == [8.0, 16.0, 32.0, 64.0, 128.0, 256.0]
    assert axes["width"]["ticks_at"] == [1.0, 3.0, 5.0, 7.0, 9.0]
