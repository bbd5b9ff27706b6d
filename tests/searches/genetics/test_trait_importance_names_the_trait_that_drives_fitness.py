"""Trait importance (Optuna's PED-ANOVA over the candidates): the trait the fitness depends on comes
first, nothing is claimed from too few candidates, and the timeline ends with the whole search."""

from __future__ import annotations

import math
import random

import pytest

from searches.genetics import Space, importance_over_generations, trait_importance
from searches.genetics._importance import IMPORTANCE_MIN_CANDIDATES, MAX_STEPS

SPACE = Space.from_spec([
    {"name": "learning_rate", "type": "geometric_float", "low": 1e-4, "high": 1e-1},
    {"name": "units", "type": "int", "low": 8, "high": 128, "step": 8},
    {"name": "norm", "type": "bool"},
    {"name": "optimizer", "type": "choice", "choices": ["sgd", "adam", "rmsprop"]},
])  # fmt: skip


def rows_driven_by_learning_rate(count: int, *, generations: int = 1, seed: int = 0):
    """Fitness peaks at a learning rate of 1e-2 and barely depends on anything else."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        genome = SPACE.sample(rng)
        fitness = 1.0 - abs(math.log10(genome["learning_rate"]) + 2) / 2 + rng.gauss(0, 0.01)
        rows.append((index + 1, index * generations // count, genome, fitness))
    return rows


def test_the_trait_the_fitness_depends_on_is_the_most_important():
    rows = rows_driven_by_learning_rate(200)
    figures = trait_importance(SPACE, [(genome, fitness) for _, _, genome, fitness in rows])
    assert list(figures) == [trait.name for trait in SPACE]  # every trait, in the space's order
    assert abs(sum(figures.values()) - 1) < 1e-6
    assert max(figures, key=figures.get) == "learning_rate" and figures["learning_rate"] > 0.5


def test_too_few_candidates_or_a_flat_fitness_claim_nothing():
    rows = [(genome, fitness) for _, _, genome, fitness in rows_driven_by_learning_rate(IMPORTANCE_MIN_CANDIDATES - 1)]
    assert trait_importance(SPACE, rows) is None
    assert trait_importance(SPACE, [(genome, 0.5) for genome, _ in rows * 3]) is None


def test_the_timeline_grows_generation_by_generation_and_ends_with_the_whole_search():
    rows = rows_driven_by_learning_rate(600, generations=30)
    found = importance_over_generations(SPACE, rows)
    timeline = found["timeline"]
    assert timeline["generations"][-1] == 29 and timeline["candidates"][-1] == 600 == found["candidates"]
    assert len(timeline["generations"]) <= MAX_STEPS
    assert timeline["candidates"] == sorted(timeline["candidates"])
    assert timeline["candidates"][0] >= IMPORTANCE_MIN_CANDIDATES
    assert found["traits"][0] == "learning_rate"
    assert [found["importance"][name] for name in found["traits"]] == sorted(found["importance"].values(), reverse=True)
    assert all(len(values) == len(timeline["generations"]) for values in timeline["importance"].values())


def test_a_search_too_young_has_no_timeline():
    assert importance_over_generations(SPACE, rows_driven_by_learning_rate(5)) is None


def test_the_study_held_in_memory_gives_what_a_real_optuna_study_gives():
    import optuna
    from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances

    from searches.genetics._importance import as_trials

    rows = [(genome, fitness) for _, _, genome, fitness in rows_driven_by_learning_rate(300)]
    study = optuna.create_study(direction="maximize")
    study.add_trials(as_trials(SPACE, rows))
    real = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator(), normalize=True)
    assert trait_importance(SPACE, rows) == pytest.approx({name: real[name] for name in real})


def test_a_large_search_is_sampled_the_same_whatever_order_its_candidates_came_in():
    rows = rows_driven_by_learning_rate(2500, generations=5)
    found = importance_over_generations(SPACE, rows)
    assert found["candidates"] == 2500 and found["sampled"] == 1000
    shuffled = list(rows)
    random.Random(4).shuffle(shuffled)
    assert importance_over_generations(SPACE, shuffled) == found
