from __future__ import annotations

from searches.genetics import BreedingPolicy, GeneticOptimizer

from .helpers import reference_space


def _run(seed: int) -> list[dict]:
    space = reference_space()
    optimizer = GeneticOptimizer(space, BreedingPolicy(generations=4), seed=seed)
    genomes = []
    while not optimizer.finished:
        for proposal in optimizer.ask():
            genomes.append(proposal.genome)
            if proposal.evaluate:
                optimizer.tell(proposal.key, proposal.genome["conv1_filters"] / 128 + proposal.genome["learning_rate"])
    return genomes


def test_the_same_seed_gives_the_same_genomes():
    assert _run(seed=5) == _run(seed=5)


def test_another_seed_gives_other_genomes():
    assert _run(seed=5) != _run(seed=6)
