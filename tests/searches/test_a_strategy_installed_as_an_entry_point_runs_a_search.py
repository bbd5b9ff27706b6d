"""A strategy of a user's own joins through an entry point (group ``gaweb.strategies``), as objectives
do: a spec may name it, the form lists it, and a search runs on it, given what ``Strategy`` says.
A name nobody installed is refused, listing those that are; one that cannot load says why."""

from __future__ import annotations

import random
from importlib import metadata

import pytest

from searches import services
from searches.genetics import (
    RANDOM,
    BreedingPolicy,
    Proposal,
    SpecError,
    _registry,
    genome_hash,
    proposer,
    strategy_help,
)
from searches.models import Entity, Search
from searches.spec.search import SearchSpec, parse_spec
from workers.inline import run_inline

HERE = "tests.searches.test_a_strategy_installed_as_an_entry_point_runs_a_search"
CALLS: list[dict] = []


def propose_smallest_rate(space, policy, *, seed, number, taken=(), count=None, first_index=0, **context):
    """Random genomes, every one at the smallest learning rate."""
    CALLS.append({"number": number, "history": len(context.get("history", ())), "taken": len(taken)})
    rng = random.Random(f"{seed}:{number}:{first_index}")
    proposals, seen = [], set(taken)
    while len(proposals) < (policy.population if count is None else count):
        genome = {trait.name: trait.sample(rng) for trait in space} | {"rate": 0.0001}
        if genome_hash(genome) not in seen:
            seen.add(genome_hash(genome))
            proposals.append(Proposal(key=(number, first_index + len(proposals)), genome=genome, origin=RANDOM))
    return proposals


@pytest.fixture
def installed(monkeypatch):
    entries = [
        metadata.EntryPoint("smallest_rate", f"{HERE}:propose_smallest_rate", _registry.GROUP),
        metadata.EntryPoint("broken", "no_such_package.anywhere:propose", _registry.GROUP),
        metadata.EntryPoint("random", f"{HERE}:propose_smallest_rate", _registry.GROUP),  # never replaces gaweb's
    ]
    monkeypatch.setattr(_registry, "_entry_points", lambda: entries)
    _registry.installed.cache_clear(), _registry.load.cache_clear()
    yield
    _registry.installed.cache_clear(), _registry.load.cache_clear()


def _spec(strategy: str, mode: str = "generational") -> dict:
    return {
        "name": "own strategy", "dataset": "digits", "objective": "synthetic", "seed": 3,
        "ga": {"population": 4, "generations": 3, "elite_previous": 2, "elite_all_time": 2, "strategy": strategy,
               "mode": mode},
        "traits": [{"name": "rate", "type": "geometric_float", "low": 0.0001, "high": 0.1},
                   {"name": "units", "type": "int", "low": 1, "high": 1000}],
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["generational", "steady_state"])
def test_a_search_runs_on_an_installed_strategy(installed, mode):
    CALLS.clear()
    search = run_inline(services.search_create(spec=_spec("smallest_rate", mode), execution=Search.Execution.INLINE).pk)

    assert search.status == Search.Status.COMPLETED, search.error
    trained = Entity.objects.population().filter(search=search)
    assert trained.count() == 12 and {e.genome["rate"] for e in trained} == {0.0001}
    assert max(call["history"] for call in CALLS) >= 8  # it was told what ended


def test_the_form_lists_it_with_its_docstring_and_gaweb_s_own_are_never_replaced(installed):
    lines = strategy_help()
    assert lines["smallest_rate"] == "Random genomes, every one at the smallest learning rate. (installed)"
    assert list(lines)[:4] == ["genetic", "random", "tpe", "surrogate"]
    assert proposer("random").__name__ == "propose_generation"


def test_a_name_nobody_installed_is_refused_listing_those_that_are(installed):
    with pytest.raises(SpecError) as refused:
        BreedingPolicy.from_spec({"strategy": "annealing"})
    assert "choose one of: genetic, random, tpe, surrogate, broken, smallest_rate" in str(refused.value)
    assert "entry point in the group gaweb.strategies" in str(refused.value)


def test_one_that_cannot_load_says_which_and_why_and_a_spec_naming_it_is_refused(installed):
    with pytest.raises(SpecError, match=r"the strategy 'broken' \(no_such_package.anywhere:propose\) cannot be loaded"):
        proposer("broken")
    with pytest.raises(SpecError) as refused:
        parse_spec(_spec("broken"))
    assert "cannot be loaded" in refused.value.errors["ga.strategy"][0]


def test_a_stored_spec_reads_on_a_machine_without_its_strategy():
    # A worker trains, and a page shows, a search whatever strategy breeds it.
    stored = parse_spec(_spec("genetic")).to_dict()
    stored["ga"]["strategy"] = "smallest_rate"  # installed where the search was created, not here
    assert SearchSpec.from_stored(stored).ga.strategy == "smallest_rate"
