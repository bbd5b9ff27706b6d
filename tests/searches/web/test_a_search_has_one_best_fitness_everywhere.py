"""A search has one best fitness: the crowned candidate's, by the mean of its trainings where
``ga.confirm`` trained it again. The list, the API, the progress line, the dashboard, the
leaderboard, the compare page and the terminal summary all show that one figure."""

from __future__ import annotations

import statistics

import pytest

from gaweb.runtime.progress import end_summary, progress_line
from searches import services
from searches.live.state import dashboard_state
from searches.models import Entity, Search
from searches.reads import comparison
from searches.reads.best import best_entity
from searches.reads.selectors import search_progress, search_rows
from tests.searches.helpers import finish_queued


@pytest.fixture
def confirmed(small_spec):
    """A search whose luckiest candidate's repeat trains badly: its mean falls below the runner-up's."""
    small_spec["ga"] = {"population": 6, "generations": 2, "elite_previous": 3, "elite_all_time": 3, "confirm": 2}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    for _ in range(2):
        finish_queued(search.pk, lambda genome: 0.3 + 0.6 * genome["dropout"])
        services.search_advance(search_id=search.pk)
    first, second = Entity.objects.filter(search=search, status="done").order_by("-fitness")[:2]
    for confirmation in Entity.objects.filter(search=search, origin=Entity.Origin.CONFIRMATION):
        services.entity_claim(entity_id=confirmation.pk, worker="w")
        accuracy = 0.01 if confirmation.replicate_of_id == first.pk else second.fitness
        services.entity_record_result(entity_id=confirmation.pk, accuracy=accuracy, parameter_count=10, train_seconds=1)
    services.search_advance(search_id=search.pk)
    return Search.objects.get(pk=search.pk), second


@pytest.mark.django_db
def test_every_view_of_a_confirmed_search_shows_the_crowned_mean(confirmed, owner_client):
    search, crowned = confirmed
    best = best_entity(search)
    expected = statistics.fmean(best.trainings)
    assert best.pk == crowned.pk and search.best_fitness == pytest.approx(expected)

    assert search_progress(search)["best_fitness"] == pytest.approx(expected)
    assert f"best {expected:.4f}" in progress_line(search, search_progress(search), 1.0)
    assert next(r for r in search_rows() if r["search"].pk == search.pk)["best"] == pytest.approx(expected)
    listed = owner_client.get("/api/searches/").json()
    rows = listed["searches"] if isinstance(listed, dict) else listed
    assert next(r for r in rows if r["id"] == search.pk)["best_fitness"] == pytest.approx(expected)
    state = dashboard_state(search)
    assert state["progress"]["best_fitness"] == pytest.approx(expected)
    assert state["leaderboard"][0]["fitness"] == pytest.approx(expected)
    compared = comparison.comparison([search, search])
    assert compared["searches"][0]["best_fitness"] == pytest.approx(expected)
    assert f"best fitness {expected:.4f}" in "\n".join(end_summary(search, 1.0))


@pytest.mark.django_db
def test_a_stopped_a_baseline_or_a_confirmation_never_raises_the_best(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    entities = list(Entity.objects.filter(search=search, status=Entity.Status.QUEUED))
    Entity.objects.filter(pk=entities[1].pk).update(origin=Entity.Origin.BASELINE)
    for entity, accuracy, stopped in ((entities[0], 0.5, False), (entities[1], 0.99, False), (entities[2], 0.9, True)):
        services.entity_claim(entity_id=entity.pk, worker="w")
        services.entity_record_result(
            entity_id=entity.pk, accuracy=accuracy, parameter_count=1, train_seconds=0.0, stopped=stopped
        )
    search.refresh_from_db()
    assert search.best_fitness == 0.5
