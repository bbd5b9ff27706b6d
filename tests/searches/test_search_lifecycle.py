from __future__ import annotations

import pytest

from searches import services
from searches.genetics import SpecError
from searches.models import Entity, Search


def _inline(spec):
    return services.search_create(spec=spec, execution=Search.Execution.INLINE)


@pytest.mark.django_db
def test_creating_a_search_stores_its_space_and_normal_spec(small_spec):
    search = _inline(small_spec)
    assert search.status == Search.Status.PENDING
    assert [trait["name"] for trait in search.space.to_spec()] == [t["name"] for t in small_spec["traits"]]
    assert search.space.to_spec() == search.spec["traits"]
    assert (search.population, search.generations) == (6, 3)


@pytest.mark.django_db
def test_an_invalid_spec_stores_nothing(small_spec):
    small_spec["ga"]["population"] = 0
    with pytest.raises(SpecError):
        _inline(small_spec)
    assert not Search.objects.exists() and not Entity.objects.exists()


@pytest.mark.django_db
def test_starting_queues_generation_zero(small_spec):
    search = _inline(small_spec)
    generation = services.search_start(search_id=search.pk)
    search.refresh_from_db()
    assert search.status == Search.Status.RUNNING and generation.number == 0
    assert generation.entities.filter(status=Entity.Status.QUEUED, origin=Entity.Origin.RANDOM).count() == 6


@pytest.mark.django_db
def test_a_search_cannot_start_twice(small_spec):
    search = _inline(small_spec)
    services.search_start(search_id=search.pk)
    with pytest.raises(services.InvalidTransition):
        services.search_start(search_id=search.pk)


@pytest.mark.django_db
def test_an_entity_is_claimed_once(small_spec):
    search = _inline(small_spec)
    entity = services.search_start(search_id=search.pk).entities.first()
    assert services.entity_claim(entity_id=entity.pk, worker="one") is not None
    assert services.entity_claim(entity_id=entity.pk, worker="two") is None
    entity.refresh_from_db()
    assert (entity.status, entity.worker, entity.attempts) == (Entity.Status.RUNNING, "one", 1)


@pytest.mark.django_db
def test_a_result_is_recorded_once(small_spec):
    search = _inline(small_spec)
    entity = services.search_start(search_id=search.pk).entities.first()
    services.entity_claim(entity_id=entity.pk, worker="w")
    result = {"accuracy": 0.5, "parameter_count": 1000, "train_seconds": 1.0}
    assert services.entity_record_result(entity_id=entity.pk, **result)
    assert not services.entity_record_result(entity_id=entity.pk, **{**result, "accuracy": 0.9})
    entity.refresh_from_db()
    assert entity.accuracy == 0.5


@pytest.mark.django_db
def test_the_size_penalty_lowers_fitness_per_million_parameters(small_spec):
    small_spec["fitness"] = {"size_penalty": 0.01}
    search = _inline(small_spec)
    entity = services.search_start(search_id=search.pk).entities.first()
    services.entity_claim(entity_id=entity.pk, worker="w")
    services.entity_record_result(entity_id=entity.pk, accuracy=0.8, parameter_count=5_000_000, train_seconds=1)
    entity.refresh_from_db()
    assert entity.fitness == pytest.approx(0.75)


@pytest.mark.django_db
def test_a_cancelled_or_failed_search_gives_no_more_work(small_spec):
    search = _inline(small_spec)
    entity = services.search_start(search_id=search.pk).entities.first()
    services.search_fail(search_id=search.pk, reason="dataset missing")
    assert services.entity_claim(entity_id=entity.pk, worker="w") is None
    search.refresh_from_db()
    assert (search.status, search.error) == (Search.Status.FAILED, "dataset missing")
