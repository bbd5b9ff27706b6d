from __future__ import annotations

import pytest

from searches.genetics import BreedingPolicy, genome_hash, propose_generation

from .helpers import random_history, reference_space


def test_generation_zero_is_twenty_random_entities():
    proposals = propose_generation(reference_space(), BreedingPolicy(), seed=1, number=0)
    assert len(proposals) == 20
    assert {p.origin for p in proposals} == {"random"}
    assert [p.key for p in proposals] == [(0, i) for i in range(20)]


@pytest.mark.parametrize(("population", "elites", "immigrants"), [(20, 10, 1), (7, 3, 0), (30, 2, 4), (5, 5, 2)])
def test_each_later_generation_has_population_offspring(population, elites, immigrants):
    space = reference_space()
    policy = BreedingPolicy(population=population, elite_previous=elites, elite_all_time=elites, immigrants=immigrants)
    history = random_history(space, 2, population)
    previous = [ind for ind in history if ind.key[0] == 1]
    proposals = propose_generation(space, policy, seed=2, number=2, previous=previous, history=history)
    offspring = [p for p in proposals if p.origin == "offspring"]
    assert len(offspring) == population
    assert sum(p.origin == "immigrant" for p in proposals) == immigrants
    assert all(space.contains(p.genome) for p in proposals)
    assert all(len(p.parents) == 2 for p in offspring)


def test_a_lone_parent_breeds_with_itself():
    space = reference_space()
    policy = BreedingPolicy(
        population=4, elite_previous=1, elite_all_time=1, immigrants=0, mutation_rate=0, duplicates="cache"
    )
    history = random_history(space, 1, 4)
    proposals = propose_generation(space, policy, seed=3, number=1, previous=history, history=history)
    assert len({p.parents for p in proposals}) == 1
    assert all(p.genome == proposals[0].genome for p in proposals)


def test_a_lone_parent_with_no_mutation_still_gives_new_children_when_rebreeding():
    space = reference_space()
    policy = BreedingPolicy(population=4, elite_previous=1, elite_all_time=1, immigrants=0, mutation_rate=0)
    history = random_history(space, 1, 4)
    taken = {genome_hash(ind.genome) for ind in history}
    proposals = propose_generation(space, policy, seed=3, number=1, previous=history, history=history, taken=taken)
    assert len({p.parents for p in proposals}) == 1  # the same pair breeds every child, mutated more each time
    assert len({genome_hash(p.genome) for p in proposals} | taken) == 4 + 4
    assert all(p.rebreeds >= 10 and "mutated" in p.inheritance.values() for p in proposals)


def test_the_random_strategy_draws_every_generation_afresh():
    space = reference_space()
    policy = BreedingPolicy(strategy="random")
    history = random_history(space, 1, 20)
    proposals = propose_generation(space, policy, seed=4, number=1, previous=history, history=history)
    assert len(proposals) == 20 and {p.origin for p in proposals} == {"random"}
    assert all(not p.parents for p in proposals)
    assert [p.key for p in proposals] == [(1, i) for i in range(20)]
