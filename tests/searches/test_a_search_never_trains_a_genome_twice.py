"""Through the services: a search proposes only genomes it does not have, and stops when its space runs out."""

from __future__ import annotations

import pytest

from searches import services
from searches.genetics import BreedingPolicy, Individual, proposer
from searches.models import Entity, Search

from .helpers import finish_queued

FOUR_GENOMES = [{"name": "p", "type": "bool"}, {"name": "q", "type": "bool"}]


def _run_to_the_end(search_id: int) -> Search:
    while Entity.objects.filter(search_id=search_id, status=Entity.Status.QUEUED).exists():
        finish_queued(search_id, lambda genome: 0.5 + 0.2 * genome["p"] + 0.1 * genome["q"])
        services.search_advance(search_id=search_id)
    return Search.objects.get(pk=search_id)


@pytest.mark.django_db
@pytest.mark.parametrize("strategy", ["genetic", "random", "tpe", "surrogate"])
def test_a_search_whose_space_runs_out_trains_each_genome_once_and_says_so(small_spec, strategy):
    small_spec["traits"] = FOUR_GENOMES
    small_spec["ga"] = {"population": 3, "generations": 5, "elite_previous": 2, "elite_all_time": 2,
                        "strategy": strategy}  # fmt: skip
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    search = _run_to_the_end(search.pk)
    assert search.status == Search.Status.COMPLETED and search.candidate_total == 4
    assert "no new genome left: all 4" in search.note
    trained = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert trained.count() == 4 and trained.values("genome_hash").distinct().count() == 4
    assert not trained.filter(status=Entity.Status.CACHED).exists()


@pytest.mark.django_db
def test_a_tpe_generation_is_what_tpe_proposes_from_the_history_in_the_database(small_spec):
    small_spec["ga"] = {"population": 6, "generations": 3, "elite_previous": 3, "elite_all_time": 3, "strategy": "tpe"}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    finish_queued(search.pk, lambda genome: genome["dropout"])
    assert services.search_advance(search_id=search.pk) == [1]
    ended = Entity.objects.filter(search=search, generation__number=0).order_by("index")
    history = [Individual((0, e.index), e.genome, e.fitness) for e in ended]
    expected = proposer("tpe")(
        search.space, BreedingPolicy(**search.spec["ga"]), seed=search.seed, number=1, history=history,
        taken={e.genome_hash for e in ended},
    )  # fmt: skip
    bred = Entity.objects.filter(search=search, generation__number=1).order_by("index")
    assert [e.genome for e in bred] == [p.genome for p in expected]
    assert {e.origin for e in bred} == {"tpe"}
