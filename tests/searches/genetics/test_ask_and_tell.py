from __future__ import annotations

import pytest

from searches.genetics import BreedingPolicy, GeneticOptimizer

from .helpers import reference_space


def test_it_asks_for_every_generation_then_finishes():
    optimizer = GeneticOptimizer(reference_space(), BreedingPolicy(generations=3), seed=1)
    generations = 0
    while not optimizer.finished:
        for proposal in optimizer.ask():
            if proposal.evaluate:
                optimizer.tell(proposal.key, 0.5)
        generations += 1
    assert generations == 3
    assert len(optimizer.history) == 60


def test_it_will_not_propose_before_it_is_told_every_fitness():
    optimizer = GeneticOptimizer(reference_space(), seed=1)
    first = optimizer.ask()
    optimizer.tell(first[0].key, 0.5)
    with pytest.raises(RuntimeError, match="19 candidates"):
        optimizer.ask()


def test_it_refuses_a_fitness_that_is_not_a_finite_number():
    optimizer = GeneticOptimizer(reference_space(), seed=1)
    key = optimizer.ask()[0].key
    with pytest.raises(ValueError, match="finite"):
        optimizer.tell(key, float("nan"))


def test_it_refuses_a_fitness_for_a_genome_it_did_not_propose():
    optimizer = GeneticOptimizer(reference_space(), seed=1)
    optimizer.ask()
    with pytest.raises(KeyError):
        optimizer.tell((5, 5), 0.5)


def test_its_best_is_the_fittest_told():
    optimizer = GeneticOptimizer(reference_space(), seed=1)
    for proposal in optimizer.ask():
        optimizer.tell(proposal.key, proposal.key[1] / 100)
    assert optimizer.best.key == (0, 19)
