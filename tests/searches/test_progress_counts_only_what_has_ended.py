"""Progress, the dashboard and the export count what has ended as it is now (twins, unfinished generations)."""

from __future__ import annotations

import pytest

from searches import services
from searches.exports.documents import search_export
from searches.live.state import dashboard_state
from searches.models import Entity, Search
from searches.reads.selectors import search_progress, search_rows

TWO_GENOMES = [{"name": "flag", "type": "bool"}]


@pytest.fixture
def twins(small_spec):
    """Generation 0 of 6 candidates over a space of 2 genomes: 2 trained, 4 cached copies waiting on them."""
    small_spec["traits"] = TWO_GENOMES
    small_spec["ga"] = {
        "population": 6,
        "generations": 2,
        "elite_previous": 2,
        "elite_all_time": 2,
        "duplicates": "cache",
    }
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


@pytest.mark.django_db
def test_a_copy_of_a_genome_still_in_training_is_not_counted_as_ended(twins):
    progress = search_progress(twins)
    assert progress["ended"] == 0 and progress["cached"] == 0
    assert progress["queued"] == 6  # the two originals and the four copies that wait for them


@pytest.mark.django_db
def test_a_copy_counts_as_ended_with_its_original(twins):
    first = Entity.objects.filter(search=twins, status=Entity.Status.QUEUED).order_by("index").first()
    copies = Entity.objects.filter(cached_from=first).count()
    services.entity_claim(entity_id=first.pk, worker="test")
    services.entity_record_result(entity_id=first.pk, accuracy=0.5, parameter_count=10, train_seconds=1.0)
    progress = search_progress(twins)
    assert progress["done"] == 1 and progress["cached"] == copies and progress["ended"] == 1 + copies
    assert len(dashboard_state(twins)["points"]["id"]) == 1 + copies
    assert search_rows()[0]["ended"] == 1 + copies


@pytest.mark.django_db
def test_the_export_counts_an_unfinished_generation_as_it_is_now(twins):
    first = Entity.objects.filter(search=twins, status=Entity.Status.QUEUED).order_by("index").first()
    services.entity_claim(entity_id=first.pk, worker="test")
    services.entity_record_failure(entity_id=first.pk, reason="out of memory")
    generation = search_export(twins)["generations"][0]
    assert generation["finished_at"] is None
    assert generation["failed"] == 1 and generation["done"] == 0
    assert generation["cached"] == Entity.objects.filter(cached_from=first).count() > 0
