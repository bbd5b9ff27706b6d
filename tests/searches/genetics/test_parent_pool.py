from __future__ import annotations

from searches.genetics import BreedingPolicy, Individual, propose_generation, rank, reference_parent_pool

from .helpers import random_history, reference_space


def _keys(individuals):
    return {ind.key for ind in individuals}


def test_the_pool_is_the_top_of_the_last_generation_and_the_top_of_all_time():
    space = reference_space()
    history = random_history(space, 3, 20)
    previous = [ind for ind in history if ind.key[0] == 2]
    pool = reference_parent_pool(previous=previous, history=history, policy=BreedingPolicy())
    expected = _keys(rank(previous)[:10]) | _keys(rank(history)[:10])
    assert _keys(pool) == expected


def test_an_entity_in_both_top_lists_is_one_parent():
    space = reference_space()
    history = random_history(space, 2, 20)
    previous = [ind for ind in history if ind.key[0] == 1]
    # Make the last generation the best of all time: both lists are the same ten.
    previous = [Individual(ind.key, ind.genome, ind.fitness + 10) for ind in previous]
    history = [ind for ind in history if ind.key[0] == 0] + previous
    pool = reference_parent_pool(previous=previous, history=history, policy=BreedingPolicy())
    assert len(pool) == 10
    assert _keys(pool) == _keys(rank(previous)[:10])


def test_the_pool_counts_a_repeated_genome_once():
    space = reference_space()
    history = random_history(space, 1, 20)
    best = rank(history)[0]
    twin = Individual(key=(1, 0), genome=dict(best.genome), fitness=best.fitness)
    previous = [twin, *random_history(space, 1, 19, seed=9)]
    previous = [Individual((1, i), ind.genome, ind.fitness) for i, ind in enumerate(previous)]
    pool = reference_parent_pool(previous=previous, history=history + previous, policy=BreedingPolicy())
    genomes = [tuple(sorted(ind.genome.items())) for ind in pool]
    assert len(genomes) == len(set(genomes))


def test_offspring_parents_are_exactly_the_pool_and_the_immigrant():
    space = reference_space()
    policy = BreedingPolicy()
    history = random_history(space, 2, 20)
    previous = [ind for ind in history if ind.key[0] == 1]
    proposals = propose_generation(space, policy, seed=11, number=2, previous=previous, history=history)
    immigrants = [p for p in proposals if p.origin == "immigrant"]
    parents = {key for p in proposals for key in p.parents}
    pool = reference_parent_pool(previous=previous, history=history, policy=policy)
    assert len(immigrants) == 1 and not immigrants[0].evaluate
    assert parents == _keys(pool) | {immigrants[0].key}


def test_failed_candidates_rank_below_every_success():
    failed = Individual(key=(0, 0), genome={"x": 1}, fitness=0.0)
    ok = Individual(key=(0, 1), genome={"x": 2}, fitness=0.1)
    assert rank([failed, ok])[0] is ok
