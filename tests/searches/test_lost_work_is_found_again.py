from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from searches import services
from searches.models import Entity, Search

from .helpers import finish_queued


@pytest.fixture
def search(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.WORKERS)
    services.search_start(search_id=search.pk)
    return search


def _claim_first(search, *, silent_for: float) -> Entity:
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=entity.pk, worker="gpu0@lost")
    Entity.objects.filter(pk=entity.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=silent_for))
    return entity


@pytest.mark.django_db
def test_a_running_entity_whose_worker_went_silent_is_queued_again(search, django_capture_on_commit_callbacks):
    entity = _claim_first(search, silent_for=600)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.entities_requeue_stale(stale_after=timedelta(seconds=180), max_attempts=3) == 1
    entity.refresh_from_db()
    assert entity.status == Entity.Status.QUEUED and len(sent) == 1


@pytest.mark.django_db
def test_a_running_entity_with_a_recent_heartbeat_is_left_alone(search):
    entity = _claim_first(search, silent_for=5)
    assert services.entities_requeue_stale(stale_after=timedelta(seconds=180), max_attempts=3) == 0
    entity.refresh_from_db()
    assert entity.status == Entity.Status.RUNNING


@pytest.mark.django_db
def test_an_entity_that_used_up_its_attempts_fails_and_the_search_goes_on(search, django_capture_on_commit_callbacks):
    entity = _claim_first(search, silent_for=600)
    with django_capture_on_commit_callbacks(execute=False):
        finish_queued(search.pk, lambda genome: 0.5)
        assert services.entities_requeue_stale(stale_after=timedelta(seconds=180), max_attempts=1) == 1
    entity.refresh_from_db()
    assert entity.status == Entity.Status.FAILED and "failed after 1 attempts" in entity.error
    search.refresh_from_db()
    assert search.current_generation == 1  # the failure ended generation 0, and the next was bred


@pytest.mark.django_db
def test_the_jobs_of_entities_queued_too_long_are_sent_again(search, django_capture_on_commit_callbacks):
    Entity.objects.filter(search=search).update(queued_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.entities_resend_lost(waiting_longer_than=timedelta(minutes=1)) == 6
    assert len(sent) == 6
    assert services.entities_resend_lost(waiting_longer_than=timedelta(minutes=1)) == 0  # just sent


@pytest.mark.django_db
def test_a_worker_that_restarts_queues_its_cut_off_entity_again(search, django_capture_on_commit_callbacks):
    entity = _claim_first(search, silent_for=0)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.entities_requeue_orphans(worker="gpu0@lost", max_attempts=3) == 1
        assert services.entities_requeue_orphans(worker="gpu1@other", max_attempts=3) == 0
    entity.refresh_from_db()
    assert entity.status == Entity.Status.QUEUED and entity.attempts == 1


@pytest.mark.django_db
def test_a_search_whose_advance_was_lost_is_advanced_by_the_reconciler(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    finish_queued(search.pk, lambda genome: 0.5)  # results recorded, but nobody advanced
    assert services.searches_advance_idle() == 1
    search.refresh_from_db()
    assert search.current_generation == 1


@pytest.mark.django_db
def test_a_failed_search_leaves_nothing_queued(search):
    services.search_fail(search_id=search.pk, reason="dataset missing")
    assert not Entity.objects.filter(search=search, status=Entity.Status.QUEUED).exists()


@pytest.mark.django_db
def test_a_late_result_from_a_worker_that_lost_its_claim_is_not_recorded(search, django_capture_on_commit_callbacks):
    entity = _claim_first(search, silent_for=600)
    with django_capture_on_commit_callbacks(execute=False):
        services.entities_requeue_stale(stale_after=timedelta(seconds=180), max_attempts=3)
    services.entity_claim(entity_id=entity.pk, worker="gpu1@new")  # attempt 2
    assert not services.entity_record_result(
        entity_id=entity.pk, accuracy=0.1, parameter_count=1, train_seconds=1, attempt=1
    )
    assert services.entity_record_result(
        entity_id=entity.pk, accuracy=0.9, parameter_count=1, train_seconds=1, attempt=2
    )
    entity.refresh_from_db()
    assert entity.accuracy == 0.9 and entity.worker == "gpu1@new"


@pytest.mark.django_db
def test_a_job_claimed_between_the_look_and_the_resend_is_not_sent_again(
    search, monkeypatch, django_capture_on_commit_callbacks
):
    from searches.services import recovery

    Entity.objects.filter(search=search).update(queued_at=timezone.now() - timedelta(minutes=5))
    read = list

    def read_then_workers_claim_them(rows):
        # What the resend read is claimed by workers before it writes: its updates match no row.
        entities = read(rows)
        for entity in entities:
            services.entity_claim(entity_id=entity.pk, worker="gpu0@fast")
        return entities

    monkeypatch.setattr(recovery, "list", read_then_workers_claim_them, raising=False)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.entities_resend_lost(waiting_longer_than=timedelta(minutes=1)) == 0
    assert sent == []


@pytest.mark.django_db
def test_a_record_repeated_for_the_same_claim_is_recorded_once_and_says_so(search):
    entity = _claim_first(search, silent_for=0)
    first = services.entity_record_result(
        entity_id=entity.pk, accuracy=0.7, parameter_count=5, train_seconds=2, attempt=1
    )
    # A retry after a lost connection whose first try had in fact committed:
    again = services.entity_record_result(
        entity_id=entity.pk, accuracy=0.7, parameter_count=5, train_seconds=2, attempt=1
    )
    assert first and again
    entity.refresh_from_db()
    assert entity.status == Entity.Status.DONE and entity.accuracy == 0.7 and entity.attempts == 1
