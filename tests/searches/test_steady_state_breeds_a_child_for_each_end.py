"""Steady-state mode: one child for every candidate that ends, at once, and the same budget."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from searches import services
from searches.models import Entity, Generation, Search
from searches.services import births

POPULATION, GENERATIONS = 6, 4


@pytest.fixture
def steady_spec(small_spec):
    small_spec["ga"] = {"population": POPULATION, "generations": GENERATIONS, "elite_previous": 3,
                        "elite_all_time": 3, "immigrants": 1, "mode": "steady_state"}  # fmt: skip
    return small_spec


def _start(spec) -> Search:
    search = services.search_create(spec=spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    search.refresh_from_db()
    return search


def _queued(search) -> list[Entity]:
    return list(Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk"))


def _finish(entity: Entity, accuracy: float) -> None:
    services.entity_claim(entity_id=entity.pk, worker="test")
    services.entity_record_result(entity_id=entity.pk, accuracy=accuracy, parameter_count=10, train_seconds=1.0)


def _score(genome) -> float:
    return 0.2 + 0.6 * genome["dropout"] + (0.1 if genome["flag"] else 0.0)


def _run_one_at_a_time(search: Search) -> list[dict]:
    order = []
    while queued := _queued(search):
        entity = queued[0]
        order.append(entity.genome)
        _finish(entity, _score(entity.genome))
        services.search_advance(search_id=search.pk)
    return order


@pytest.mark.django_db
def test_an_inline_search_starts_with_one_candidate_more_than_its_one_worker(steady_spec):
    search = _start(steady_spec)
    assert len(_queued(search)) == 2 and search.births == 2 and search.current_generation == 0


@pytest.mark.django_db
def test_each_candidate_that_ends_is_answered_by_one_child_at_once(steady_spec):
    search = _start(steady_spec)
    first, _ = _queued(search)
    _finish(first, 0.5)
    assert services.search_advance(search_id=search.pk) == [2]  # birth number 2, bred now
    assert services.search_advance(search_id=search.pk) == []  # and only once
    first.refresh_from_db()
    assert first.bred and len(_queued(search)) == 2


@pytest.mark.django_db
def test_the_search_trains_exactly_its_budget_with_generations_as_birth_cohorts(steady_spec):
    search = _start(steady_spec)
    _run_one_at_a_time(search)
    search.refresh_from_db()
    assert search.status == Search.Status.COMPLETED and search.births == POPULATION * GENERATIONS
    candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == POPULATION * GENERATIONS
    assert candidates.values("genome_hash").distinct().count() == POPULATION * GENERATIONS
    for number in range(GENERATIONS):
        cohort = candidates.filter(generation__number=number)
        assert sorted(cohort.values_list("index", flat=True)) == list(range(POPULATION))
        origins = {e.origin for e in cohort}
        assert origins == {"random"} if number == 0 else "offspring" in origins <= {"offspring", "random"}
    generations = Generation.objects.filter(search=search).order_by("number")
    assert [g.number for g in generations] == list(range(GENERATIONS)) and all(g.finished_at for g in generations)
    immigrants = Entity.objects.filter(search=search, status=Entity.Status.PARENT_ONLY)
    assert sorted(immigrants.values_list("generation__number", flat=True)) == list(range(1, GENERATIONS))


@pytest.mark.django_db
def test_a_steady_state_search_confirms_its_best_at_the_end_of_its_budget(steady_spec):
    steady_spec["ga"]["confirm"] = 2
    search = _start(steady_spec)
    _run_one_at_a_time(search)
    search.refresh_from_db()
    assert search.status == Search.Status.COMPLETED
    confirmations = Entity.objects.filter(search=search, origin=Entity.Origin.CONFIRMATION)
    assert confirmations.count() == 2 and set(confirmations.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db
def test_the_same_order_of_results_breeds_the_same_search(steady_spec):
    first = _run_one_at_a_time(_start(steady_spec))
    second = _run_one_at_a_time(_start(steady_spec))
    assert first == second and len(first) == POPULATION * GENERATIONS


@pytest.mark.django_db
def test_a_worker_that_joins_finds_a_candidate_waiting(steady_spec):
    search = _start(steady_spec)
    waiting = _queued(search)
    services.entity_claim(entity_id=waiting[1].pk, worker="newcomer")  # a second worker takes the spare
    _finish(waiting[0], 0.4)
    services.search_advance(search_id=search.pk)
    # one child for the candidate that ended, and one more so that two wait again
    assert len(_queued(search)) == 2


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_many_candidates_ending_at_once_get_exactly_one_child_each(steady_spec, monkeypatch):
    steady_spec["ga"]["population"] = 16
    search = services.search_create(spec=steady_spec, execution=Search.Execution.WORKERS)
    monkeypatch.setattr(births, "workers_listening", lambda **_kwargs: None)  # the broker does not answer
    # No top-up of the queue for a worker that has just joined (its own test is above): an advance
    # that runs before the others' results are in would add a child for it, and this counts the
    # children of the ended candidates alone.
    monkeypatch.setattr(births, "WAITING", 0)
    services.search_start(search_id=search.pk)
    entities = _queued(search)
    assert len(entities) == 16  # the workers could not be counted: the whole of cohort 0
    for entity in entities:
        services.entity_claim(entity_id=entity.pk, worker=f"w{entity.pk}")
    barrier = threading.Barrier(len(entities))
    errors: list[BaseException] = []

    def finish(entity_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.entity_record_result(entity_id=entity_id, accuracy=0.5, parameter_count=1, train_seconds=0)
            services.search_advance(search_id=search.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(entity.pk,)) for entity in entities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    search.refresh_from_db()
    assert search.births == 32 and len(_queued(search)) == 16
    assert Entity.objects.filter(search=search, bred=True).count() == 16
    assert Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY).count() == 32


@pytest.mark.django_db
def test_a_birth_reads_only_the_parents_it_can_have_and_gets_the_same_pool(steady_spec):
    from searches.genetics import Individual, reference_parent_pool
    from searches.services.births import _history

    search = _start(steady_spec)
    for _ in range(20):
        entity = _queued(search)[0]
        _finish(entity, _score(entity.genome))
        services.search_advance(search_id=search.pk)
    ended = Entity.objects.filter(search=search, status=Entity.Status.DONE).order_by("finished_at", "pk")
    everything = [Individual((e.generation.number, e.index), e.genome, e.fitness) for e in ended]
    read = _history(search)
    assert len(read) < len(everything)
    policy = search.policy
    assert reference_parent_pool(previous=read[-POPULATION:], history=read, policy=policy) == reference_parent_pool(
        previous=everything[-POPULATION:], history=everything, policy=policy
    )


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the plan is SQLite's; PostgreSQL's planner scans a table this small anyway"
)
def test_a_birth_finds_the_unanswered_ends_on_their_own_index(steady_spec):
    """Each birth looks for the candidates not yet answered (``bred=False``): on SQLite's plan, through
    the partial index of those alone, not by scanning every ended candidate of the search."""
    search = _start(steady_spec)
    unanswered = Entity.objects.filter(Entity.has_ended(), search=search, bred=False)
    with connection.cursor() as cursor:
        sql, params = unanswered.query.sql_with_params()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "entity_unbred" in plan, plan
