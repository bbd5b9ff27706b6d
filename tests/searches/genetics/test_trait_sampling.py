from __future__ import annotations

import random

import pytest

from searches.genetics import Space

SPECS = [
    {"name": "t", "type": "bool"},
    {"name": "t", "type": "int", "low": -3, "high": 4},
    {"name": "t", "type": "int", "low": 0, "high": 100, "step": 25},
    {"name": "t", "type": "float", "low": -1.5, "high": 2.5},
    {"name": "t", "type": "float", "low": 0, "high": 1, "step": 0.1},
    {"name": "t", "type": "geometric_float", "low": 1e-5, "high": 1e-1},
    {"name": "t", "type": "geometric_float", "low": 1e-4, "high": 1, "step": 10},
    {"name": "t", "type": "geometric_int", "low": 1, "high": 1000},
    {"name": "t", "type": "geometric_int", "low": 16, "high": 512, "step": 2},
    {"name": "t", "type": "choice", "choices": ["relu", "tanh", 3, True]},
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s['type']}{'-step' if 'step' in s else ''}")
def test_each_trait_type_samples_only_legal_values(spec):
    trait = Space.from_spec([spec])["t"]
    rng = random.Random(0)
    samples = [trait.sample(rng) for _ in range(5000)]
    assert all(trait.contains(value) for value in samples)
    if "low" in spec:
        assert min(samples) >= spec["low"] and max(samples) <= spec["high"]
    if spec["type"] in ("int", "geometric_int"):
        assert all(type(value) is int for value in samples)


# Discrete traits with grids small enough that 5,000 draws reach every value.
SMALL_GRIDS = [s for s in SPECS if (g := Space.from_spec([s])["t"].grid()) is not None and len(g) <= 50]


@pytest.mark.parametrize("spec", SMALL_GRIDS, ids=lambda s: s["type"])
def test_discrete_traits_reach_every_value_of_their_grid(spec):
    trait = Space.from_spec([spec])["t"]
    grid = trait.grid()
    rng = random.Random(1)
    seen = {repr(trait.sample(rng)) for _ in range(5000)}
    assert seen == {repr(value) for value in grid}


def test_a_stepped_float_trait_stores_tidy_grid_values():
    trait = Space.from_spec([{"name": "lr", "type": "geometric_float", "low": 0.0001, "high": 1, "step": 10}])["lr"]
    assert trait.grid() == [0.0001, 0.001, 0.01, 0.1, 1.0]


def test_a_geometric_int_step_gives_a_doubling_grid():
    trait = Space.from_spec([{"name": "f", "type": "geometric_int", "low": 16, "high": 128, "step": 2}])["f"]
    assert trait.grid() == [16, 32, 64, 128]


def test_a_choice_does_not_take_true_for_one():
    trait = Space.from_spec([{"name": "c", "type": "choice", "choices": [1, 2]}])["c"]
    assert trait.contains(1) and not trait.contains(True)
