"""A machine whose workers cannot find a search's dataset hands its work back, untrained, and takes
no more of it; the search fails only when no listening machine can train it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from searches import services
from searches.live import state as live_state
from searches.models import Entity, Search, UnableHost
from searches.services import queueing

from .helpers import finish_queued

HOUR = timedelta(hours=1)


@pytest.fixture
def search(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.WORKERS)
    services.search_start(search_id=search.pk)
    return search


def _claimed(search, worker: str) -> Entity:
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk").first()
    return services.entity_claim(entity_id=entity.pk, worker=worker)


@pytest.mark.django_db
def test_a_handed_back_entity_is_queued_again_untrained_and_its_hand_back_counted(
    search, django_capture_on_commit_callbacks
):
    entity = _claimed(search, "gpu0@nodata")
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.entity_hand_back(
            entity_id=entity.pk, attempt=entity.attempts, worker="gpu0@nodata", reason="no folder here"
        )
    entity.refresh_from_db()
    assert (entity.status, entity.worker, entity.attempts, entity.handbacks) == (Entity.Status.QUEUED, "", 1, 1)
    assert len(sent) == 1  # its job, sent again for the other machines
    noted = UnableHost.objects.get(search=search)
    assert (noted.host, noted.worker, noted.reason) == ("nodata", "gpu0@nodata", "no folder here")


@pytest.mark.django_db
def test_no_worker_of_that_machine_claims_the_search_again_but_another_machine_does(
    search, django_capture_on_commit_callbacks
):
    entity = _claimed(search, "gpu0@nodata")
    with django_capture_on_commit_callbacks(execute=False):
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="no folder here")
    assert services.entity_claim(entity_id=entity.pk, worker="gpu1@nodata") is None  # its other GPU too
    assert services.entity_claim(entity_id=entity.pk, worker="gpu0@hasdata").attempts == 2  # a new fence


@pytest.mark.django_db
def test_a_hand_back_tried_again_after_another_machine_claimed_the_entity_leaves_that_claim_alone(
    search, django_capture_on_commit_callbacks
):
    entity = _claimed(search, "gpu0@nodata")
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
        services.entity_claim(entity_id=entity.pk, worker="gpu0@hasdata")
        # The first hand-back committed but its answer was lost: the worker tries it again.
        assert not services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
    entity.refresh_from_db()
    assert (entity.status, entity.worker, entity.attempts, entity.handbacks) == ("running", "gpu0@hasdata", 2, 1)
    assert len(sent) == 1


@pytest.mark.django_db
def test_hand_backs_do_not_use_up_the_attempts_of_an_entity(search, django_capture_on_commit_callbacks):
    entity = _claimed(search, "gpu0@nodata")
    with django_capture_on_commit_callbacks(execute=False):
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
        services.entity_claim(entity_id=entity.pk, worker="gpu0@hasdata")
        Entity.objects.filter(pk=entity.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        # Its one real attempt went silent: queued again, not failed after "2 attempts".
        assert services.entities_requeue_stale(stale_after=timedelta(minutes=3), max_attempts=2) == 1
    entity.refresh_from_db()
    assert entity.status == Entity.Status.QUEUED


@pytest.mark.django_db
def test_a_job_reaching_that_machine_is_sent_on_and_one_it_can_train_is_not(
    search, small_spec, django_capture_on_commit_callbacks
):
    first = _claimed(search, "gpu0@nodata")
    other = services.search_create_and_start(spec=small_spec | {"seed": 99}, owner=None)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        services.entity_hand_back(entity_id=first.pk, attempt=1, worker="gpu0@nodata", reason="no folder here")
        waiting = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).exclude(pk=first.pk).first()
        assert services.entity_pass_on(entity_id=waiting.pk, worker="gpu1@nodata", recheck_after=HOUR)
        assert services.entity_pass_on(entity_id=waiting.pk, worker="gpu0@hasdata", recheck_after=HOUR) is None
        elsewhere = Entity.objects.filter(search=other, status=Entity.Status.QUEUED).first()
        assert services.entity_pass_on(entity_id=elsewhere.pk, worker="gpu1@nodata", recheck_after=HOUR) is None
    assert len(sent) == 2  # the hand-back's and the pass-on's
    waiting.refresh_from_db()
    assert waiting.status == Entity.Status.QUEUED and waiting.attempts == 0


@pytest.mark.django_db
def test_a_job_passed_on_after_waiting_long_asks_for_a_recheck_once_per_period(
    search, django_capture_on_commit_callbacks
):
    entity = _claimed(search, "gpu0@nodata")
    with django_capture_on_commit_callbacks(execute=False):
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
        assert not services.entity_pass_on(entity_id=entity.pk, worker="gpu0@nodata", recheck_after=HOUR).recheck
        Entity.objects.filter(pk=entity.pk).update(queued_at=timezone.now() - 2 * HOUR)
        assert services.entity_pass_on(entity_id=entity.pk, worker="gpu0@nodata", recheck_after=HOUR).recheck
        assert not services.entity_pass_on(entity_id=entity.pk, worker="gpu0@nodata", recheck_after=HOUR).recheck


@pytest.mark.django_db
def test_the_dashboard_s_version_moves_when_a_machine_is_noted(search, django_capture_on_commit_callbacks):
    before = live_state.state_version(search)
    entity = _claimed(search, "gpu0@nodata")
    claimed = live_state.state_version(search)
    with django_capture_on_commit_callbacks(execute=False):
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
    assert len({before, claimed, live_state.state_version(search)}) == 3


@pytest.mark.django_db
def test_the_search_goes_on_while_a_listening_machine_can_train_it(search, django_capture_on_commit_callbacks):
    entity = _claimed(search, "gpu0@nodata")
    with django_capture_on_commit_callbacks(execute=False):
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="no folder here")
        asked = {"entity_id": entity.pk, "worker": "gpu0@nodata"}
        assert not services.search_end_if_no_host_can(**asked, listening={"nodata", "hasdata"})
        assert not services.search_end_if_no_host_can(**asked, listening=None)  # the broker did not say
        assert not services.search_end_if_no_host_can(**asked, listening={"other"})  # an answer without the asker
    search.refresh_from_db()
    assert search.status == Search.Status.RUNNING


@pytest.mark.django_db
def test_the_search_fails_naming_every_machine_when_none_listening_can_train_it(
    search, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        for worker, reason in (("gpu0@alpha", "no folder /data/x"), ("cpu0@beta", "outside the allowed data roots")):
            entity = _claimed(search, worker)
            services.entity_hand_back(entity_id=entity.pk, attempt=1, worker=worker, reason=reason)
        assert services.search_end_if_no_host_can(entity_id=entity.pk, worker=worker, listening={"alpha", "beta"})
    search.refresh_from_db()
    assert search.status == Search.Status.FAILED
    assert search.error == (
        "no machine can train this search: alpha: no folder /data/x; beta: outside the allowed data roots"
    )
    assert not Entity.objects.filter(search=search, status=Entity.Status.QUEUED).exists()


@pytest.mark.django_db
def test_a_final_training_no_machine_can_run_fails_and_the_completed_search_stays_completed(
    django_capture_on_commit_callbacks,
):
    spec = {
        "name": "keras", "dataset": "digits", "objective": "keras", "seed": 5,
        "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
        "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 32, "step": 2}],
    }  # fmt: skip
    search = services.search_create(spec=spec, execution=Search.Execution.WORKERS)
    with django_capture_on_commit_callbacks(execute=False):
        services.search_start(search_id=search.pk)
        finish_queued(search.pk, lambda genome: 0.5)
        Entity.objects.filter(search=search).update(worker="gpu0@alpha")  # which has lost the dataset since
        services.search_advance(search_id=search.pk)
        assert Search.objects.get(pk=search.pk).status == Search.Status.COMPLETED
        final_id, *_ = services.search_train_final(search_id=search.pk)
        final = services.entity_claim(entity_id=final_id, worker="gpu0@alpha")
        services.entity_hand_back(entity_id=final.pk, attempt=1, worker="gpu0@alpha", reason="no folder here")
        assert services.search_end_if_no_host_can(entity_id=final.pk, worker="gpu0@alpha", listening={"alpha"})
    final.refresh_from_db()
    search.refresh_from_db()
    assert final.status == Entity.Status.FAILED and "alpha: no folder here" in final.error
    assert search.status == Search.Status.COMPLETED


@pytest.mark.django_db
def test_the_search_waits_while_a_machine_that_trained_some_of_it_is_away(search, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        finish_queued_one = _claimed(search, "gpu0@hasdata")
        services.entity_record_result(entity_id=finish_queued_one.pk, accuracy=0.5, parameter_count=1, train_seconds=1)
        entity = _claimed(search, "gpu0@nodata")
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
        # "hasdata" is restarting: only "nodata" answers.
        assert not services.search_end_if_no_host_can(entity_id=entity.pk, worker="gpu0@nodata", listening={"nodata"})
    assert Search.objects.get(pk=search.pk).status == Search.Status.RUNNING


def test_no_answer_from_any_worker_is_not_taken_for_no_machine_listening(monkeypatch):
    monkeypatch.setattr(queueing, "_listeners", lambda timeout: [])
    assert queueing.hosts_listening() is None
    monkeypatch.setattr(queueing, "_listeners", lambda timeout: ["gpu0@alpha", "gpu1@alpha", "cpu0@beta"])
    assert queueing.hosts_listening() == {"alpha", "beta"}


@pytest.mark.django_db
def test_the_search_waits_while_a_machine_training_another_search_is_silent_for_less_than_the_stale_timeout(
    search, small_spec, django_capture_on_commit_callbacks, settings
):
    # The chaos campaign's case: a search started while the machines that have its dataset were
    # cut off from the broker for a few seconds; only the machine without it answered.
    settings.GAWEB_STALE_AFTER_SECONDS = 180
    other = services.search_create(spec=small_spec | {"name": "other"}, execution=Search.Execution.WORKERS)
    services.search_start(search_id=other.pk)
    with django_capture_on_commit_callbacks(execute=False):
        busy = _claimed(other, "gpu0@hasdata")  # in training, its heartbeat fresh
        entity = _claimed(search, "gpu0@nodata")
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
        assert not services.search_end_if_no_host_can(entity_id=entity.pk, worker="gpu0@nodata", listening={"nodata"})
        assert Search.objects.get(pk=search.pk).status == Search.Status.RUNNING

        # A search run inline (``runsearch --inline``) takes no jobs: it is nobody to wait for.
        Entity.objects.filter(pk=busy.pk).update(worker="inline@hasdata")
        assert services.search_end_if_no_host_can(entity_id=entity.pk, worker="gpu0@nodata", listening={"nodata"})
        assert Search.objects.get(pk=search.pk).status == Search.Status.FAILED


@pytest.mark.django_db
def test_a_machine_silent_past_the_stale_timeout_is_waited_for_no_longer(
    search, small_spec, django_capture_on_commit_callbacks, settings
):
    settings.GAWEB_STALE_AFTER_SECONDS = 180
    other = services.search_create(spec=small_spec | {"name": "other"}, execution=Search.Execution.WORKERS)
    services.search_start(search_id=other.pk)
    with django_capture_on_commit_callbacks(execute=False):
        busy = _claimed(other, "gpu0@hasdata")
        Entity.objects.filter(pk=busy.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=181))
        entity = _claimed(search, "gpu0@nodata")
        services.entity_hand_back(entity_id=entity.pk, attempt=1, worker="gpu0@nodata", reason="none here")
        assert services.search_end_if_no_host_can(entity_id=entity.pk, worker="gpu0@nodata", listening={"nodata"})
    assert Search.objects.get(pk=search.pk).status == Search.Status.FAILED
