"""A search whose candidates keep failing fails with the error after ``training.max_consecutive_failures``
failures in a row, instead of spending its whole budget failing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from searches import services
from searches.models import Entity, Search


def _search(small_spec, **training) -> Search:
    small_spec["ga"]["population"] = 8
    small_spec["training"] = training
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


def _fail(search, reason="ResourceExhaustedError: OOM when allocating tensor") -> Entity:
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=entity.pk, worker="w@host")
    services.entity_record_failure(entity_id=entity.pk, reason=reason)
    return entity


def _succeed(search) -> None:
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=entity.pk, worker="w@host")
    services.entity_record_result(entity_id=entity.pk, accuracy=0.5, parameter_count=1, train_seconds=0.0)


@pytest.mark.django_db
def test_the_fifth_failure_in_a_row_fails_the_search_with_the_error(small_spec):
    search = _search(small_spec)
    for _ in range(4):
        _fail(search)
    assert Search.objects.get(pk=search.pk).status == Search.Status.RUNNING
    _fail(search, reason="ResourceExhaustedError: OOM, the fifth")
    search.refresh_from_db()
    assert search.status == Search.Status.FAILED
    assert "last 5 candidates all failed" in search.error and "OOM, the fifth" in search.error
    assert not Entity.objects.filter(search=search, status=Entity.Status.QUEUED).exists()  # nothing more trains


@pytest.mark.django_db
def test_a_success_between_failures_starts_the_count_again(small_spec):
    search = _search(small_spec, max_consecutive_failures=3)
    _fail(search), _fail(search), _succeed(search), _fail(search), _fail(search)
    assert Search.objects.get(pk=search.pk).status == Search.Status.RUNNING
    _fail(search)
    assert Search.objects.get(pk=search.pk).status == Search.Status.FAILED


@pytest.mark.django_db
def test_zero_never_fails_a_search_for_its_failures(small_spec):
    search = _search(small_spec, max_consecutive_failures=0)
    for _ in range(8):
        _fail(search)
    assert Search.objects.get(pk=search.pk).status == Search.Status.RUNNING


@pytest.mark.django_db
def test_candidates_that_kill_their_workers_count_as_failures_in_a_row(small_spec):
    search = _search(small_spec, max_consecutive_failures=2)
    for entity in Entity.objects.filter(search=search, status=Entity.Status.QUEUED)[:2]:
        services.entity_claim(entity_id=entity.pk, worker=f"w{entity.pk}@host")
    Entity.objects.filter(search=search, status=Entity.Status.RUNNING).update(
        heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    services.entities_requeue_stale(stale_after=timedelta(minutes=1), max_attempts=1)
    search.refresh_from_db()
    assert search.status == Search.Status.FAILED and "failed after 1 attempts" in search.error
