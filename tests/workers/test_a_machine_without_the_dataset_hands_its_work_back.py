"""A worker whose machine lacks the search's dataset hands the candidate back untrained; the search
fails, naming the machine, only when no other machine listens."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from searches import services
from searches.models import Entity, Search, UnableHost
from workers.evaluation import Outcome, evaluate_entity
from workers.objectives import EvaluationRequest, HostCannotTrain
from workers.objectives.keras import KerasObjective


@pytest.fixture
def folder_search(settings, tmp_path, small_spec):
    """A running search on a folder dataset that is then taken away from this machine."""
    settings.GAWEB_DATA_ROOTS = [tmp_path]
    for name in ("cats", "dogs"):
        (tmp_path / "pets" / name).mkdir(parents=True)
    search = services.search_create(
        spec=small_spec | {"dataset": f"folder:{tmp_path / 'pets'}"}, execution=Search.Execution.WORKERS
    )
    services.search_start(search_id=search.pk)
    shutil.rmtree(tmp_path / "pets")
    return search


def _first_queued(search) -> int:
    return Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk").first().pk


@pytest.mark.django_db
def test_the_candidate_goes_back_untrained_while_another_machine_listens(
    folder_search, django_capture_on_commit_callbacks
):
    entity_id = _first_queued(folder_search)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        report = evaluate_entity(entity_id, worker="cpu0@here", listening=lambda: {"here", "there"})
    assert report.outcome == Outcome.HANDED_BACK and len(sent) == 1
    entity = Entity.objects.get(pk=entity_id)
    assert (entity.status, entity.handbacks, entity.fitness) == (Entity.Status.QUEUED, 1, None)
    assert "does not exist on this worker" in UnableHost.objects.get(search=folder_search, host="here").reason
    assert Search.objects.get(pk=folder_search.pk).status == Search.Status.RUNNING

    # The machine's next job of this search is sent on unclaimed, for the other machine.
    with django_capture_on_commit_callbacks(execute=False):
        assert evaluate_entity(entity_id, worker="cpu1@here").outcome == Outcome.PASSED_ON
    assert Entity.objects.get(pk=entity_id).status == Entity.Status.QUEUED

    # The other machine went away for good: a job passed on after waiting long asks again, and
    # the search fails, naming the machine that tried.
    Entity.objects.filter(pk=entity_id).update(queued_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert evaluate_entity(entity_id, worker="cpu1@here", listening=lambda: {"here"}).outcome == Outcome.PASSED_ON
    search = Search.objects.get(pk=folder_search.pk)
    assert search.status == Search.Status.FAILED and search.error.startswith("no machine can train this search: here:")


@pytest.mark.django_db
def test_with_no_other_machine_the_search_fails_naming_this_one(folder_search, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = evaluate_entity(_first_queued(folder_search), worker="cpu0@lonely")
    assert report.outcome == Outcome.HANDED_BACK
    search = Search.objects.get(pk=folder_search.pk)
    assert search.status == Search.Status.FAILED
    assert search.error.startswith("no machine can train this search: lonely: the dataset folder ")
    assert search.error.endswith("does not exist on this worker")


@pytest.mark.django_db
def test_the_keras_objective_says_this_machine_cannot_train_it(folder_search):
    request = EvaluationRequest(entity_id=1, genome={}, spec=folder_search.spec)
    with pytest.raises(HostCannotTrain, match="does not exist on this worker"):
        KerasObjective().evaluate(request)  # a new one: the process's own reads the data roots it started with
