"""Successive halving by brackets (``promotion: bracket``): each generation is a bracket. Every
candidate pauses at a rung; once all have reached it, exactly the best ``ceil(n / 3)`` go on from
where they paused, and the others end there, stopped. Nothing goes past the last epoch."""

from __future__ import annotations

import math

import pytest

from searches import services
from searches.models import Checkpoint, Entity, EpochResult, Search
from searches.reads.best import best_entity
from workers.inline import run_inline

EPOCHS = 9  # rungs at 1 and 3; the last, 9, is no rung
BRACKET = {"rule": "successive_halving", "min_epochs": 1, "reduction": 3, "promotion": "bracket"}


@pytest.fixture
def bracket_spec(small_spec):
    small_spec["ga"] = {"population": 9, "generations": 2, "elite_previous": 4, "elite_all_time": 4, "immigrants": 0}
    small_spec["training"] = {"epochs": EPOCHS, "early_stopping": BRACKET}
    return small_spec


def value_at(entity: Entity, epoch: int) -> float:
    return EpochResult.objects.get(entity=entity, epoch=epoch).val_accuracy


@pytest.mark.django_db
def test_each_rung_promotes_exactly_the_best_third_of_those_that_reached_it(bracket_spec):
    search = run_inline(services.search_create(spec=bracket_spec, execution=Search.Execution.INLINE).pk)
    assert search.status == Search.Status.COMPLETED
    for generation in search.generation_set.all():
        ended = list(generation.entities.population().exclude(status=Entity.Status.PARENT_ONLY))
        assert len(ended) == 9 and all(e.status in (Entity.Status.DONE, Entity.Status.STOPPED) for e in ended)
        reached = {rung: [e for e in ended if e.epochs >= rung] for rung in (1, 3, EPOCHS)}
        assert [len(reached[rung]) for rung in (1, 3, EPOCHS)] == [9, 3, 1]  # 9, ceil(9/3), ceil(3/3)
        for rung, after in ((1, 3), (3, EPOCHS)):
            went_on = {e.pk for e in reached[after]}
            best = sorted(reached[rung], key=lambda e: (-value_at(e, rung), e.pk))[: math.ceil(len(reached[rung]) / 3)]
            assert went_on == {e.pk for e in best}
        assert {e.epochs for e in ended if e.status == Entity.Status.STOPPED} == {1, 3}
        (done,) = [e for e in ended if e.status == Entity.Status.DONE]
        assert done.epochs == EPOCHS and done.promotions == 2
    assert best_entity(search).status == Entity.Status.DONE


@pytest.mark.django_db
def test_a_promoted_candidate_goes_on_from_its_rung_with_one_curve(bracket_spec):
    search = run_inline(services.search_create(spec=bracket_spec, execution=Search.Execution.INLINE).pk)
    for done in Entity.objects.filter(search=search, status=Entity.Status.DONE).exclude(origin="immigrant"):
        assert [row["epoch"] for row in done.history] == list(range(1, EPOCHS + 1))
        assert EpochResult.objects.filter(entity=done).count() == EPOCHS
        assert done.train_seconds > 0
    assert not Checkpoint.objects.filter(entity__search=search).exists()  # none kept once all ended


def _pause_one(search) -> Entity:
    from workers.evaluation import evaluate_entity

    first = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk").first()
    evaluate_entity(first.pk, worker="w")
    first.refresh_from_db()
    assert first.status == Entity.Status.WAITING and first.epochs == 1 and first.finished_at is None
    assert Checkpoint.objects.get(entity=first).epoch == 1
    return first


@pytest.mark.django_db
def test_a_cancel_keeps_those_waiting_at_a_rung_and_a_resume_goes_on_with_them(bracket_spec):
    search = services.search_create(spec=bracket_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    paused = _pause_one(search)
    services.search_cancel(search_id=search.pk)
    paused.refresh_from_db()
    assert paused.status == Entity.Status.WAITING and Checkpoint.objects.filter(entity=paused).exists()
    services.search_resume(search_id=search.pk)
    search = run_inline(search.pk)
    assert search.status == Search.Status.COMPLETED
    paused.refresh_from_db()
    assert paused.status in (Entity.Status.DONE, Entity.Status.STOPPED) and paused.history[0]["epoch"] == 1
    first_generation = search.generation_set.get(number=0).entities.exclude(status=Entity.Status.PARENT_ONLY)
    assert sorted(e.epochs for e in first_generation) == [1] * 6 + [3] * 2 + [EPOCHS]  # the bracket, whole


@pytest.mark.django_db
def test_a_search_finished_early_ends_those_waiting_as_stopped_at_their_rung(bracket_spec):
    search = services.search_create(spec=bracket_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    paused = _pause_one(search)
    services.search_finish(search_id=search.pk, note="seen enough")
    paused.refresh_from_db()
    assert paused.status == Entity.Status.STOPPED and paused.finished_at is not None and paused.fitness is not None
    assert not Checkpoint.objects.filter(entity=paused).exists()


@pytest.mark.django_db
def test_a_promoted_candidate_that_fails_has_no_fitness_and_no_weights_kept(bracket_spec):
    search = services.search_create(spec=bracket_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    paused = _pause_one(search)
    Entity.objects.filter(pk=paused.pk).update(status=Entity.Status.QUEUED, promotions=1)  # as a promotion does
    claimed = services.entity_claim(entity_id=paused.pk, worker="w")
    services.entity_record_failure(entity_id=paused.pk, reason="out of memory", attempt=claimed.attempts)
    paused.refresh_from_db()
    assert (paused.status, paused.fitness, paused.accuracy) == (Entity.Status.FAILED, None, None)
    assert not Checkpoint.objects.filter(entity=paused).exists()


@pytest.mark.django_db
def test_a_network_over_the_model_bound_cannot_wait_and_stops_at_its_rung(bracket_spec, settings):
    settings.GAWEB_MAX_MODEL_MB = 1
    search = services.search_create(spec=bracket_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    claimed = services.entity_claim(entity_id=entity.pk, worker="w")
    assert services.entity_record_result(
        entity_id=entity.pk, accuracy=0.5, parameter_count=10, train_seconds=1.0, stopped=True,
        history=[{"epoch": 1, "val_accuracy": 0.5}], attempt=claimed.attempts, weights=b"x" * (2 * 1024 * 1024),
    )  # fmt: skip
    entity.refresh_from_db()
    assert entity.status == Entity.Status.STOPPED and not Checkpoint.objects.exists()
