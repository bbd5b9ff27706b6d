from __future__ import annotations

from searches.genetics import Space

from .helpers import reference_space


def test_the_reference_space_has_138240_combinations():
    assert reference_space().combinations == 138_240


def test_a_continuous_trait_makes_the_count_unbounded():
    space = Space.from_spec([{"name": "a", "type": "bool"}, {"name": "x", "type": "float", "low": 0, "high": 1}])
    assert space.combinations is None


def test_a_geometric_int_without_step_counts_every_integer():
    space = Space.from_spec([{"name": "n", "type": "geometric_int", "low": 1, "high": 100}])
    assert space.combinations == 100
