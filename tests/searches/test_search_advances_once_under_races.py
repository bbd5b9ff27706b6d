from __future__ import annotations

import threading

import pytest
from django.db import connection

from searches import services
from searches.models import Entity, Generation, Search

WORKERS = 8
GENERATIONS = 6


def _race_spec(small_spec):
    # A continuous trait redrawn in every child: no two genomes are equal, so every entity is trained.
    small_spec["traits"] = [{"name": "x", "type": "float", "low": 0, "high": 1}]
    small_spec["ga"] = {
        "population": WORKERS,
        "generations": GENERATIONS,
        "elite_previous": 4,
        "elite_all_time": 4,
        "mutation_rate": 1.0,
    }
    return small_spec


def _finish_all_at_once(search_id: int, entity_ids: list[int]) -> list[BaseException]:
    """Each entity in its own thread: record its result, then advance, all released together."""
    barrier = threading.Barrier(len(entity_ids))
    errors: list[BaseException] = []

    def finish(entity_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.entity_record_result(entity_id=entity_id, accuracy=0.5, parameter_count=10, train_seconds=0)
            services.search_advance(search_id=search_id)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(pk,)) for pk in entity_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_racing_results_breed_each_generation_exactly_once(small_spec):
    search = services.search_create(spec=_race_spec(small_spec), execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    for number in range(GENERATIONS):
        queued = list(
            Entity.objects.filter(search=search, generation__number=number, status=Entity.Status.QUEUED).values_list(
                "id", flat=True
            )
        )
        assert len(queued) == WORKERS, f"generation {number}"
        for entity_id in queued:
            assert services.entity_claim(entity_id=entity_id, worker=f"w{entity_id}") is not None
        assert _finish_all_at_once(search.pk, queued) == []

    search.refresh_from_db()
    assert search.status == Search.Status.COMPLETED
    numbers = Generation.objects.filter(search=search).order_by("number").values_list("number", flat=True)
    assert list(numbers) == list(range(GENERATIONS))
    candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == WORKERS * GENERATIONS
    assert set(candidates.values_list("status", flat=True)) == {Entity.Status.DONE}
    assert set(candidates.values_list("attempts", flat=True)) == {1}


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_many_advances_of_a_finished_generation_breed_it_once(small_spec):
    search = services.search_create(spec=_race_spec(small_spec), execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    for entity in Entity.objects.filter(search=search):
        services.entity_claim(entity_id=entity.pk, worker="w")
        services.entity_record_result(entity_id=entity.pk, accuracy=0.5, parameter_count=10, train_seconds=0)
    barrier = threading.Barrier(WORKERS)
    bred: list[list[int]] = []

    def advance() -> None:
        try:
            barrier.wait(timeout=30)
            bred.append(services.search_advance(search_id=search.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=advance) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(bred) == [[]] * (WORKERS - 1) + [[1]]
    assert Generation.objects.filter(search=search).count() == 2


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_many_workers_claiming_one_entity_at_once_give_it_to_exactly_one(small_spec):
    search = services.search_create(spec=_race_spec(small_spec), execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    entity = Entity.objects.filter(search=search).first()
    barrier = threading.Barrier(WORKERS)
    winners: list[str] = []

    def claim(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            if services.entity_claim(entity_id=entity.pk, worker=name) is not None:
                winners.append(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entity.refresh_from_db()
    assert len(winners) == 1 and entity.worker == winners[0] and entity.attempts == 1
