"""A later generation with an empty parent pool (nothing ended, ``immigrants: 0``) is drawn at random."""

from __future__ import annotations

from searches.genetics import BreedingPolicy, propose_birth, propose_generation
from searches.genetics._breeding import RANDOM

from .helpers import reference_space


def test_a_later_generation_with_no_history_and_no_immigrants_is_random_genomes():
    policy = BreedingPolicy(population=4, elite_previous=2, elite_all_time=2, immigrants=0)
    proposals = propose_generation(reference_space(), policy, seed=3, number=1)
    assert len(proposals) == 4
    assert {p.origin for p in proposals} == {RANDOM} and all(not p.parents for p in proposals)


def test_a_steady_state_birth_with_no_history_and_no_immigrants_is_a_random_genome():
    policy = BreedingPolicy(population=2, elite_previous=2, elite_all_time=2, immigrants=0, mode="steady_state")
    child = propose_birth(reference_space(), policy, seed=3, birth=2, history=[], taken=set())
    assert child is not None and child.origin == RANDOM and child.key == (1, 0)


def test_the_same_empty_pool_gives_the_same_random_children():
    policy = BreedingPolicy(population=4, elite_previous=2, elite_all_time=2, immigrants=0, duplicates="rebreed")
    first = propose_generation(reference_space(), policy, seed=5, number=2)
    again = propose_generation(reference_space(), policy, seed=5, number=2)
    assert [p.genome for p in first] == [p.genome for p in again]
