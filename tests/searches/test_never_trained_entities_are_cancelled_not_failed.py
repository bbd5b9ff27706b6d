"""A search that ends early (cancelled, or failed) leaves its queued entities cancelled: never
trained, so neither failures of their own nor points at fitness 0."""

from __future__ import annotations

import csv
import io

import pytest

from searches import services
from searches.exports.documents import write_entities_csv
from searches.live import state as live_state
from searches.models import Entity, Search


def _running(spec) -> Search:
    search = services.search_create(spec=spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    search.refresh_from_db()
    return search


def _train_one(search: Search) -> Entity:
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("index").first()
    services.entity_claim(entity_id=entity.pk, worker="w")
    services.entity_record_result(entity_id=entity.pk, accuracy=0.7, parameter_count=1000, train_seconds=1)
    return entity


@pytest.mark.django_db
@pytest.mark.parametrize("end", ["cancel", "fail"])
def test_the_queued_entities_of_an_ended_search_are_cancelled(small_spec, end):
    search = _running(small_spec)
    trained = _train_one(search)
    if end == "cancel":
        services.search_cancel(search_id=search.pk)
    else:
        services.search_fail(search_id=search.pk, reason="dataset missing")
    others = Entity.objects.filter(search=search).exclude(pk=trained.pk)
    assert set(others.values_list("status", flat=True)) == {Entity.Status.CANCELLED}
    assert all(e.fitness is None and e.finished_at is not None and e.error for e in others)
    assert Entity.objects.get(pk=trained.pk).status == Entity.Status.DONE


@pytest.mark.django_db
def test_progress_counts_them_as_cancelled_and_the_dashboard_draws_no_point_for_them(small_spec):
    search = _running(small_spec)
    trained = _train_one(search)
    services.search_cancel(search_id=search.pk)
    search.refresh_from_db()
    state = live_state.dashboard_state(search)
    assert state["progress"]["cancelled"] == search.population - 1
    assert state["progress"]["failed"] == 0
    assert state["progress"]["ended"] == 1
    assert state["points"]["id"] == [trained.pk]


@pytest.mark.django_db
def test_the_csv_and_the_api_say_cancelled(client, django_user_model, small_spec):
    client.force_login(django_user_model.objects.create_user("reader", password="reader-pass-1"))
    search = _running(small_spec)
    services.search_cancel(search_id=search.pk)
    out = io.StringIO()
    write_entities_csv(search, out)
    statuses = {row["status"] for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert statuses == {"cancelled"}
    entity = Entity.objects.filter(search=search).first()
    assert client.get(f"/api/entities/{entity.pk}/").json()["status"] == "cancelled"


@pytest.mark.django_db
def test_a_copy_waiting_for_a_cancelled_original_is_cancelled_with_it(small_spec):
    search = _running(small_spec)
    original = Entity.objects.filter(search=search).order_by("index").first()
    copy = Entity.objects.create(
        search=search, generation=original.generation, index=99, genome=original.genome,
        genome_hash=original.genome_hash, origin=Entity.Origin.OFFSPRING, status=Entity.Status.CACHED,
        cached_from=original,
    )  # fmt: skip
    services.search_cancel(search_id=search.pk)
    copy.refresh_from_db()
    assert copy.status == Entity.Status.CANCELLED


@pytest.mark.django_db
def test_a_search_finished_early_is_completed_with_its_queued_entities_cancelled(small_spec):
    search = _running(small_spec)
    trained = _train_one(search)
    assert services.search_finish(search_id=search.pk, note="its 10-minute budget is spent")
    search.refresh_from_db()
    assert search.status == Search.Status.COMPLETED and search.note == "its 10-minute budget is spent"
    others = Entity.objects.filter(search=search).exclude(pk=trained.pk)
    assert set(others.values_list("status", flat=True)) == {Entity.Status.CANCELLED}
    assert not services.search_finish(search_id=search.pk, note="again"), "an ended search ends once"
