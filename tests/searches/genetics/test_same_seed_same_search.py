from __future__ import annotations

import pytest

from searches.genetics import STRATEGIES, BreedingPolicy, GeneticOptimizer

from .helpers import reference_space


def _run(seed: int, strategy: str = "genetic", duplicates: str = "rebreed") -> list[dict]:
    space = reference_space()
    policy = BreedingPolicy(generations=4, strategy=strategy, duplicates=duplicates)
    optimizer = GeneticOptimizer(space, policy, seed=seed)
    genomes = []
    while not optimizer.finished:
        for proposal in optimizer.ask():
            genomes.append(proposal.genome)
            if proposal.evaluate:
                optimizer.tell(proposal.key, proposal.genome["conv1_filters"] / 128 + proposal.genome["learning_rate"])
    return genomes


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_same_seed_gives_the_same_genomes(strategy):
    assert _run(5, strategy) == _run(5, strategy)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_another_seed_gives_other_genomes(strategy):
    assert _run(5, strategy) != _run(6, strategy)


def test_rebreeding_changes_nothing_until_a_duplicate_is_bred():
    cached, rebred = _run(5, duplicates="cache"), _run(5, duplicates="rebreed")
    assert cached[:20] == rebred[:20]  # generation 0: twenty random genomes, the same either way
