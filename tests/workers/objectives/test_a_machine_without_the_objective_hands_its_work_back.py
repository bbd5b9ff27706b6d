"""A machine whose workers do not have a search's objective hands its candidates back, untrained,
for the machines that have it; with no such machine listening, the search fails saying why."""

from __future__ import annotations

import pytest

from searches import services
from searches.models import Entity, Search, UnableHost
from workers.evaluation import Outcome, evaluate_entity
from workers.objectives import registry

MLP = {"name": "mlp", "description": "elsewhere", "kind": "function", "traits": None}


@pytest.fixture
def search(small_spec, settings):
    settings.GAWEB_OBJECTIVES = {}  # this machine has gaweb's own objectives only
    registry.get_objective.cache_clear()
    services.objectives_offer(host="gpu-box", offers=[MLP])  # another machine has it
    search = services.search_create(spec={**small_spec, "objective": "mlp"}, execution=Search.Execution.WORKERS)
    services.search_start(search_id=search.pk)
    yield search
    registry.get_objective.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_the_candidate_goes_back_to_the_queue_for_the_machine_that_has_the_objective(search):
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk").first()
    report = evaluate_entity(entity.pk, worker="cpu0@laptop", listening=lambda: {"laptop", "gpu-box"})
    assert report.outcome == Outcome.HANDED_BACK
    entity.refresh_from_db()
    assert entity.status == Entity.Status.QUEUED and entity.handbacks == 1
    noted = UnableHost.objects.get(search=search)
    assert noted.host == "laptop" and "the objective 'mlp' is not installed on this machine" in noted.reason
    assert Search.objects.get(pk=search.pk).status == Search.Status.RUNNING  # gpu-box may take it


@pytest.mark.django_db(transaction=True)
def test_with_no_listening_machine_that_has_it_the_search_fails_naming_why(search):
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk").first()
    evaluate_entity(entity.pk, worker="cpu0@laptop", listening=lambda: {"laptop"})
    search.refresh_from_db()
    assert search.status == Search.Status.FAILED
    assert "not installed on this machine (it has: synthetic, keras)" in search.error
