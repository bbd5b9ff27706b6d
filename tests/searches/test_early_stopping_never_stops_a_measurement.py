"""The early-stopping rule is the population's: a confirmation, the tutorial baseline and a final
training always train to the end, and are never the yardstick of a candidate that may stop."""

from __future__ import annotations

import pytest

from searches import services
from searches.models import Entity, EpochResult, Search


@pytest.fixture
def search(small_spec):
    small_spec["training"] = {"epochs": 4, "early_stopping": {"rule": "median", "min_epochs": 1, "warmup": 1}}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


def _report(entity, value) -> bool:
    return services.entity_report_epoch(entity_id=entity.pk, epoch=1, metrics={"val_accuracy": value})


def _claimed(search, **fields) -> Entity:
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    Entity.objects.filter(pk=entity.pk).update(**fields)
    services.entity_claim(entity_id=entity.pk, worker=f"w{entity.pk}@host")
    return entity


@pytest.mark.django_db
@pytest.mark.parametrize("origin", Entity.MEASUREMENTS)
def test_a_measurement_far_below_the_median_trains_on(search, origin):
    for value in (0.8, 0.9):
        assert _report(_claimed(search), value)
    measured = _claimed(search, origin=origin)
    assert _report(measured, 0.1)  # far below the candidates' median: a candidate would stop here
    measured.refresh_from_db()
    assert measured.history == [{"epoch": 1, "val_accuracy": 0.1}]  # its live curve is kept


@pytest.mark.django_db
def test_a_measurement_is_not_the_yardstick_of_the_candidates(search):
    assert _report(_claimed(search, origin=Entity.Origin.CONFIRMATION), 0.99)
    assert _report(_claimed(search, origin=Entity.Origin.BASELINE), 0.98)
    assert not EpochResult.objects.filter(search=search).exists()
    assert _report(_claimed(search), 0.2)  # the first candidate at its rung, with nobody to compare to
    assert not _report(_claimed(search), 0.1)  # below the one candidate before it
