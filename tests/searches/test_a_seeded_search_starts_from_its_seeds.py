"""A search seeded with a known genome trains it in generation 0 and never ends below it."""

from __future__ import annotations

import pytest

from searches import services
from searches.models import Entity, Search
from searches.reads.best import best_entity
from tests.searches.helpers import finish_queued

KNOWN = {"flag": True, "width": 9, "dropout": 0.5, "learning_rate": 0.1, "units": 256, "optimizer": "adam"}


def _score(genome) -> float:
    """The known genome is the best there is: a seeded search cannot end below it."""
    return 0.95 if genome == KNOWN else 0.3 + 0.5 * genome["dropout"]


def _run(spec) -> Search:
    search = services.search_create(spec=spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    while finish_queued(search.pk, _score):
        services.search_advance(search_id=search.pk)
    search.refresh_from_db()
    return search


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["generational", "steady_state"])
@pytest.mark.parametrize("strategy", ["genetic", "surrogate"])
def test_the_seed_is_trained_in_generation_zero_and_the_best_is_at_least_as_good(small_spec, mode, strategy):
    small_spec["ga"].update(mode=mode, strategy=strategy, seed_genomes=[KNOWN, {"flag": False}])
    search = _run(small_spec)
    assert search.status == Search.Status.COMPLETED
    seeded = Entity.objects.filter(search=search, origin=Entity.Origin.SEEDED).order_by("index")
    assert [(e.generation.number, e.index) for e in seeded] == [(0, 0), (0, 1)]
    assert seeded[0].genome == KNOWN and seeded[1].genome["flag"] is False
    assert best_entity(search).fitness >= seeded[0].fitness == 0.95
    assert not Entity.objects.filter(search=search, genome=KNOWN).exclude(pk=seeded[0].pk).exists()
