from __future__ import annotations

import random

import pytest

from searches.genetics import Space
from searches.spec.presets import REFERENCE_TRAITS
from workers.objectives import EvaluationRequest, get_objective
from workers.objectives.synthetic import synthetic_accuracy, synthetic_optimum


@pytest.fixture
def space(small_spec):
    return Space.from_spec(small_spec["traits"])


def test_its_optimum_is_a_genome_of_the_space_that_no_random_genome_beats(space):
    optimum = synthetic_optimum(space)
    assert space.contains(optimum)
    best = synthetic_accuracy(space, optimum)
    rng = random.Random(0)
    assert all(synthetic_accuracy(space, space.sample(rng)) <= best for _ in range(2000))


def test_the_reference_space_optimum_scores_the_maximum():
    space = Space.from_spec(REFERENCE_TRAITS)
    assert synthetic_accuracy(space, synthetic_optimum(space)) == pytest.approx(0.95)


def test_it_scores_between_chance_and_the_maximum(space):
    rng = random.Random(1)
    assert all(0.1 <= synthetic_accuracy(space, space.sample(rng)) <= 0.95 for _ in range(500))


def test_it_is_deterministic_and_waits_the_configured_delay(small_spec, space):
    small_spec["training"] = {"synthetic_delay": 0.05, "epochs": 3}
    genome = space.sample(random.Random(2))
    objective = get_objective("synthetic")
    first = objective.evaluate(EvaluationRequest(entity_id=1, genome=genome, spec=small_spec))
    second = objective.evaluate(EvaluationRequest(entity_id=1, genome=genome, spec=small_spec))
    assert first.accuracy == second.accuracy
    assert first.train_seconds >= 0.05
    assert [row["epoch"] for row in first.history] == [1, 2, 3]
    assert first.history[-1]["val_accuracy"] == pytest.approx(first.accuracy)
