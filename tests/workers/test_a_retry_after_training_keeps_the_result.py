"""A transient database fault after training does not cost the trained result."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from searches import services
from searches.models import Entity, Search
from workers import evaluation


@pytest.fixture
def queued_entity(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("index").first()


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the worker closes broken connections
def test_the_result_is_recorded_when_the_database_fails_once_at_the_record_step(queued_entity, monkeypatch):
    monkeypatch.setattr(evaluation, "RECORD_FIRST_WAIT_SECONDS", 0.0)
    real_record = services.entity_record_result
    faults = []

    def record_after_one_fault(**result):
        if not faults:
            faults.append(result["attempt"])
            raise OperationalError("server closed the connection unexpectedly")
        return real_record(**result)

    monkeypatch.setattr(services, "entity_record_result", record_after_one_fault)
    report = evaluation.evaluate_entity(queued_entity.pk, worker="cpu0@test")
    assert report.outcome == evaluation.Outcome.DONE and faults == [1]
    queued_entity.refresh_from_db()
    assert queued_entity.status == Entity.Status.DONE and queued_entity.accuracy is not None
    assert queued_entity.attempts == 1  # trained once: the retry recorded the same claim's result


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the worker closes broken connections
def test_a_fault_that_lasts_is_raised_for_the_task_to_retry(queued_entity, monkeypatch):
    monkeypatch.setattr(evaluation, "RECORD_FIRST_WAIT_SECONDS", 0.0)

    def always_down(**_result):
        raise OperationalError("the database is down")

    monkeypatch.setattr(services, "entity_record_result", always_down)
    with pytest.raises(OperationalError):
        evaluation.evaluate_entity(queued_entity.pk, worker="cpu0@test")
