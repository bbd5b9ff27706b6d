"""ga.confirm: the best candidates are trained once more, and the best is crowned by the mean."""

from __future__ import annotations

import pytest

from searches import exports, services
from searches.live.state import dashboard_state
from searches.models import Entity, Search
from searches.reads.best import best_entity
from searches.reads.selectors import search_progress

from .helpers import finish_queued


@pytest.fixture
def confirming(small_spec):
    small_spec["ga"] = {"population": 6, "generations": 2, "elite_previous": 3, "elite_all_time": 3, "confirm": 2}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    for _ in range(2):
        finish_queued(search.pk, lambda genome: 0.3 + 0.6 * genome["dropout"])
        services.search_advance(search_id=search.pk)
    return Search.objects.get(pk=search.pk)


@pytest.mark.django_db
def test_the_best_candidates_are_queued_again_before_the_search_completes(confirming):
    assert confirming.status == Search.Status.RUNNING
    confirmations = Entity.objects.filter(search=confirming, origin=Entity.Origin.CONFIRMATION)
    top = Entity.objects.filter(search=confirming, status="done").order_by("-fitness")[:2]
    assert sorted(c.replicate_of_id for c in confirmations) == sorted(e.pk for e in top)
    assert all(c.status == Entity.Status.QUEUED and c.genome == c.replicate_of.genome for c in confirmations)
    assert search_progress(confirming)["total"] == 12 + 2


@pytest.mark.django_db
def test_a_lucky_first_training_loses_the_crown_to_a_steady_one(confirming):
    first, second = Entity.objects.filter(search=confirming, status="done").order_by("-fitness")[:2]
    for confirmation in Entity.objects.filter(search=confirming, origin=Entity.Origin.CONFIRMATION):
        lucky = confirmation.replicate_of_id == first.pk
        services.entity_claim(entity_id=confirmation.pk, worker="w")
        accuracy = 0.1 if lucky else second.fitness
        services.entity_record_result(entity_id=confirmation.pk, accuracy=accuracy, parameter_count=10, train_seconds=1)
    services.search_advance(search_id=confirming.pk)
    search = Search.objects.get(pk=confirming.pk)
    assert search.status == Search.Status.COMPLETED
    best = best_entity(search)
    assert best.pk == second.pk and best.trainings == [second.fitness, second.fitness]
    board = dashboard_state(search)["leaderboard"]
    assert board[0]["id"] == second.pk and board[0]["trainings"] == 2
    lucky_row = next(row for row in board if row["id"] == first.pk)
    assert lucky_row["fitness"] == pytest.approx((first.fitness + 0.1) / 2)
    assert exports.best_document(search, best)["trainings"] == [second.fitness, second.fitness]
