"""``seed_genomes``: what is known is where a search starts, whatever the strategy."""

from __future__ import annotations

import pytest

from searches.genetics import SEEDED, BreedingPolicy, SpecError, genome_hash, propose, seeded_proposals

from .helpers import reference_space

POLICY = {"population": 6, "elite_previous": 3, "elite_all_time": 3}
SEEDS = [{"learning_rate": 0.01, "batch_size": 64}, {"conv1_filters": 32}]


@pytest.mark.parametrize("strategy", ["genetic", "random", "tpe", "surrogate"])
def test_the_seeds_come_first_in_generation_zero_and_the_rest_is_new(strategy):
    policy = BreedingPolicy(**POLICY, strategy=strategy, seed_genomes=SEEDS)
    proposals = propose(reference_space(), policy, seed=4, number=0)
    assert [p.origin for p in proposals[:2]] == [SEEDED, SEEDED] and len(proposals) == 6
    assert proposals[0].genome["learning_rate"] == 0.01 and proposals[0].genome["batch_size"] == 64
    assert proposals[1].genome["conv1_filters"] == 32
    assert [p.key for p in proposals] == [(0, i) for i in range(6)]
    assert len({genome_hash(p.genome) for p in proposals}) == 6


def test_a_partial_seed_is_completed_from_the_space_the_same_way_each_time():
    space = reference_space()
    policy = BreedingPolicy(**POLICY, seed_genomes=SEEDS)
    first = seeded_proposals(space, policy, seed=4)
    assert all(set(p.genome) == set(space.names) and all(space[n].contains(v) for n, v in p.genome.items())
               for p in first)  # fmt: skip
    assert [p.genome for p in seeded_proposals(space, policy, seed=4)] == [p.genome for p in first]


def test_a_steady_state_birth_in_cohort_zero_is_a_seed_until_the_seeds_are_placed():
    policy = BreedingPolicy(**POLICY, mode="steady_state", seed_genomes=SEEDS)
    space = reference_space()
    seeds = seeded_proposals(space, policy, seed=4)
    born = [propose(space, policy, seed=4, number=0, count=1, first_index=i)[0] for i in range(3)]
    assert [b.genome for b in born[:2]] == [s.genome for s in seeds] and born[2].origin != SEEDED


def test_later_generations_are_not_seeded():
    policy = BreedingPolicy(**POLICY, seed_genomes=SEEDS, strategy="random")
    assert SEEDED not in {p.origin for p in propose(reference_space(), policy, seed=4, number=1)}


def test_a_policy_without_seeds_keeps_its_normal_form():
    assert "seed_genomes" not in BreedingPolicy().to_spec()
    assert BreedingPolicy(**POLICY, seed_genomes=SEEDS).to_spec()["seed_genomes"] == SEEDS


@pytest.mark.parametrize(
    ("seeds", "message"),
    [("tutorial", "must be a list"), ([{}] * 7, "at most the population, 6"), ([3], "must be an object")],
)
def test_bad_seed_lists_are_refused_with_the_reason(seeds, message):
    with pytest.raises(SpecError, match=message):
        BreedingPolicy(**POLICY, seed_genomes=seeds)
