from __future__ import annotations

import random

import pytest

from searches.genetics import BreedingPolicy, propose_generation, redraw_mutation

from .helpers import random_history, reference_space


@pytest.mark.parametrize("rate", [0.05, 0.3])
def test_each_trait_mutates_at_the_configured_rate(rate):
    space = reference_space()
    rng = random.Random(5)
    redrawn = 0
    trials = 2000
    for _ in range(trials):
        genome = space.sample(rng)
        _, names = redraw_mutation(genome, space, rate, rng)
        redrawn += len(names)
    # About 4 standard deviations of the binomial share at 20,000 draws.
    assert abs(redrawn / (trials * len(space)) - rate) < 4 * (rate * (1 - rate) / (trials * len(space))) ** 0.5


def test_a_mutation_draws_a_legal_value_and_leaves_other_traits_alone():
    space = reference_space()
    rng = random.Random(6)
    for _ in range(500):
        genome = space.sample(rng)
        mutated, names = redraw_mutation(genome, space, 0.5, rng)
        assert space.contains(mutated)
        assert all(mutated[n] == genome[n] for n in space.names if n not in names)


def test_offspring_record_the_mutations_they_carry_at_the_policy_rate():
    space = reference_space()
    policy = BreedingPolicy(population=200, mutation_rate=0.05)
    history = random_history(space, 1, 200)
    mutated = total = 0
    for seed in range(5):
        for proposal in propose_generation(space, policy, seed=seed, number=1, previous=history, history=history):
            if proposal.evaluate:
                mutated += sum(source == "mutated" for source in proposal.inheritance.values())
                total += len(proposal.inheritance)
    assert abs(mutated / total - 0.05) < 0.01


def test_a_mutation_rate_of_zero_never_mutates():
    space = reference_space()
    rng = random.Random(7)
    assert all(redraw_mutation(space.sample(rng), space, 0.0, rng)[1] == [] for _ in range(200))
