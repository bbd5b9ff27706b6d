"""With ``duplicates: "rebreed"`` (the default) no genome is proposed twice in a search while the space has room."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searches.genetics import BreedingPolicy, GeneticOptimizer, Space, genome_hash

# 3 * 4 * 2 * 5 = 120 genomes: small enough that a generational search keeps meeting its old ones.
SMALL = Space.from_spec(
    [
        {"name": "a", "type": "int", "low": 1, "high": 3},
        {"name": "b", "type": "geometric_int", "low": 8, "high": 64, "step": 2},
        {"name": "c", "type": "bool"},
        {"name": "d", "type": "choice", "choices": ["p", "q", "r", "s", "t"]},
    ]
)


def _score(genome) -> float:
    return genome["a"] / 3 + genome["b"] / 64 + (0.5 if genome["c"] else 0) + "pqrst".index(genome["d"]) / 10


def _run(policy: BreedingPolicy, seed: int):
    optimizer = GeneticOptimizer(SMALL, policy, seed=seed)
    proposed = []
    while not optimizer.finished:
        for proposal in optimizer.ask():
            if proposal.evaluate:
                proposed.append(proposal)
                optimizer.tell(proposal.key, _score(proposal.genome))
    return proposed


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    strategy=st.sampled_from(["genetic", "random", "surrogate"]),
    population=st.integers(2, 12),
    generations=st.integers(1, 8),
    mutation_rate=st.sampled_from([0.0, 0.05, 0.3]),
)
def test_no_search_proposes_a_genome_twice_while_the_space_has_room(
    seed, strategy, population, generations, mutation_rate
):
    elites = max(1, population // 2)
    policy = BreedingPolicy(population=population, generations=generations, strategy=strategy,
                            elite_previous=elites, elite_all_time=elites, mutation_rate=mutation_rate)  # fmt: skip
    proposed = _run(policy, seed)
    hashes = [genome_hash(p.genome) for p in proposed]
    assert len(set(hashes)) == len(hashes)
    # 120 genomes hold every budget drawn here (at most 96): the whole budget is used.
    assert len(proposed) == population * generations


def test_tpe_proposes_no_genome_twice_either():
    proposed = _run(BreedingPolicy(population=10, generations=6, elite_previous=5, elite_all_time=5, strategy="tpe"), 3)
    assert len({genome_hash(p.genome) for p in proposed}) == len(proposed) == 60


def test_the_reference_way_caches_duplicates_instead():
    policy = BreedingPolicy(population=12, generations=8, elite_previous=3, elite_all_time=3, duplicates="cache")
    proposed = _run(policy, 1)
    assert len(proposed) == 96 and len({genome_hash(p.genome) for p in proposed}) < 96


def test_a_duplicate_child_is_bred_again_and_says_how_often():
    policy = BreedingPolicy(population=12, generations=8, elite_previous=3, elite_all_time=3)
    proposed = _run(policy, 1)
    assert any(p.rebreeds > 0 for p in proposed)
    assert all(p.rebreeds == 0 for p in proposed if p.key[0] == 0)  # random genomes are simply new


def test_when_the_space_runs_out_the_search_stops_with_every_genome_tried_once():
    policy = BreedingPolicy(population=50, generations=5, elite_previous=10, elite_all_time=10)
    proposed = _run(policy, 2)
    assert len(proposed) == 120 and len({genome_hash(p.genome) for p in proposed}) == 120
