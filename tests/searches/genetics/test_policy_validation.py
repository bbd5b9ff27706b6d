from __future__ import annotations

import pytest

from searches.genetics import BreedingPolicy, SpecError


def test_the_defaults_are_the_reference_experiment():
    policy = BreedingPolicy()
    assert (policy.population, policy.generations) == (20, 8)
    assert (policy.elite_previous, policy.elite_all_time, policy.immigrants) == (10, 10, 1)
    assert policy.mutation_rate == 0.05


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({"population": 1}, "population", "between 2 and 1,000"),
        ({"population": 0}, "population", "between 2 and 1,000"),
        ({"population": 1_000_000}, "population", "between 2 and 1,000"),
        ({"population": 8, "elite_previous": 9}, "elite_previous", "at most the population, 8 (got 9)"),
        ({"population": 8, "elite_all_time": 9}, "elite_all_time", "at most the population, 8 (got 9)"),
        ({"elite_previous": -1}, "elite_previous", "negative"),
        ({"mutation_rate": -0.1}, "mutation_rate", "between 0 and 1"),
        ({"mutation_rate": 2}, "mutation_rate", "between 0 and 1"),
        ({"mutation_rate": float("nan")}, "mutation_rate", "finite number"),
        ({"generations": 0}, "generations", "between 1 and 1,000"),
        ({"generations": 100_000}, "generations", "between 1 and 1,000"),
        ({"population": "20"}, "population", "integer"),
        ({"population": True}, "population", "integer"),
        ({"elite_previous": 0, "elite_all_time": 1, "immigrants": 0}, "", "at least 2"),
        ({"strategy": "annealing"}, "strategy", "unknown strategy 'annealing'"),
    ],
)
def test_it_rejects_bad_settings_with_a_message_on_the_field(settings, field, message):
    with pytest.raises(SpecError) as caught:
        BreedingPolicy.from_spec(settings)
    assert any(message in text for text in caught.value.errors[field])


def test_it_rejects_an_unknown_setting():
    with pytest.raises(SpecError) as caught:
        BreedingPolicy.from_spec({"populaton": 20})
    assert "populaton" in caught.value.errors
