"""What a strategy is told of a search's ended candidates (``services.told``): their fitness at
each rung where early stopping ran, and a failure as the worst there is, whichever the direction."""

from __future__ import annotations

import pytest

from searches import services
from searches.models import Entity, Search
from searches.services.told import FIELDS, individuals, rung_epochs


def started(spec) -> Search:
    search = services.search_create(spec=spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


def train(entity: Entity, curve: list[float], *, stopped: bool = False) -> None:
    services.entity_claim(entity_id=entity.pk, worker="test")
    for epoch, value in enumerate(curve, start=1):
        services.entity_report_epoch(entity_id=entity.pk, epoch=epoch, metrics={"val_accuracy": value})
    services.entity_record_result(
        entity_id=entity.pk, accuracy=curve[-1], parameter_count=1000, train_seconds=1.0, stopped=stopped,
        history=[{"epoch": e, "val_accuracy": v} for e, v in enumerate(curve, start=1)],
    )  # fmt: skip


def told(search: Search):
    rows = Entity.objects.filter(search=search, status__in=Entity.ENDED).order_by("index").values_list(*FIELDS)
    return individuals(search, list(rows))


@pytest.mark.django_db
def test_a_surrogate_search_with_successive_halving_tells_each_candidate_s_value_at_its_rungs(small_spec):
    small_spec["ga"]["strategy"] = "surrogate"
    small_spec["training"] = {"epochs": 9, "early_stopping": {"rule": "successive_halving", "min_epochs": 1}}
    search = started(small_spec)
    assert rung_epochs(search) == [1, 3]
    first, second, third = Entity.objects.filter(search=search).order_by("index")[:3]
    train(first, [0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.6, 0.7, 0.8])
    train(second, [0.1], stopped=True)
    services.entity_claim(entity_id=third.pk, worker="test")
    services.entity_record_failure(entity_id=third.pk, reason="out of memory")
    a, b, c = told(search)
    assert (a.stopped, a.fitness, a.rungs) == (False, 0.8, ((1, 0.2), (3, 0.4)))
    assert (b.stopped, b.fitness, b.rungs) == (True, 0.1, ((1, 0.1),))
    assert (c.stopped, c.fitness, c.rungs) == (False, 0.0, ())


@pytest.mark.django_db
def test_the_genetic_algorithm_is_told_fitness_alone(small_spec):
    small_spec["training"] = {"epochs": 9, "early_stopping": {"rule": "successive_halving", "min_epochs": 1}}
    search = started(small_spec)
    entity = Entity.objects.filter(search=search).order_by("index").first()
    train(entity, [0.1], stopped=True)
    (only,) = told(search)
    assert (only.stopped, only.rungs) == (True, ())


@pytest.mark.django_db
def test_a_minimised_metric_keeps_its_negative_fitness_and_a_failure_counts_as_the_worst(small_spec):
    search = started(small_spec)
    Search.objects.filter(pk=search.pk).update(metric="val_loss", direction="minimize")
    first, second, third = Entity.objects.filter(search=search).order_by("index")[:3]
    for entity, loss in ((first, 0.9), (second, 0.3)):
        services.entity_claim(entity_id=entity.pk, worker="test")
        services.entity_record_result(entity_id=entity.pk, accuracy=-loss, parameter_count=10, train_seconds=1.0)
    services.entity_claim(entity_id=third.pk, worker="test")
    services.entity_record_failure(entity_id=third.pk, reason="NaN loss")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.fitness, second.fitness) == (-0.9, -0.3)  # not floored at 0, where all would tie
    search.refresh_from_db()
    assert search.best_fitness == -0.3
    assert [ind.fitness for ind in told(search)] == [-0.9, -0.3, -0.9]  # the failure: no better than the worst
