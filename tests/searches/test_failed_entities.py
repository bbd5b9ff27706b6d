from __future__ import annotations

import pytest

from searches import services
from searches.models import Entity, Search

from .helpers import finish_queued


@pytest.mark.django_db
def test_a_failed_candidate_keeps_its_reason_and_the_search_goes_on(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    first = services.search_start(search_id=search.pk).entities.filter(status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=first.pk, worker="w")
    services.entity_record_failure(entity_id=first.pk, reason="ResourceExhaustedError: out of memory")
    finish_queued(search.pk, lambda genome: 0.5)
    assert services.search_advance(search_id=search.pk) == [1]
    first.refresh_from_db()
    assert first.status == Entity.Status.FAILED and first.fitness is None
    assert first.error == "ResourceExhaustedError: out of memory"
    generation = search.generation_set.get(number=0)
    assert generation.failed_count == 1


@pytest.mark.django_db
def test_a_failed_candidate_counts_as_fitness_zero_and_is_not_chosen_as_a_parent(small_spec):
    # Five of six parents come from the last generation: the failed one is the one left out.
    small_spec["ga"] = {"population": 6, "generations": 2, "elite_previous": 5, "elite_all_time": 0, "immigrants": 0}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    first = services.search_start(search_id=search.pk).entities.filter(status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=first.pk, worker="w")
    services.entity_record_failure(entity_id=first.pk, reason="NaN loss")
    finish_queued(search.pk, lambda genome: 0.01)
    services.search_advance(search_id=search.pk)
    offspring = Entity.objects.filter(search=search, generation__number=1)
    parents = set(offspring.values_list("parent_a", flat=True)) | set(offspring.values_list("parent_b", flat=True))
    first.refresh_from_db()
    assert first.fitness is None and first.selection_fitness == 0.0
    assert len(parents) == 5 and first.pk not in parents
