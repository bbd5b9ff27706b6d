"""One search's breeding error is that search's alone: the reconciler logs it, the other searches go
on, and the search fails with the error when it keeps raising (issue: one search stopped every
supervisor)."""

from __future__ import annotations

import pytest

from gaweb.runtime.reconcile import reconcile
from searches import services
from searches.models import Entity, Generation, Search
from searches.services.recovery import ADVANCE_ERRORS_TO_FAIL
from tests.searches.helpers import finish_queued


def _steady_with_no_immigrants(small_spec, population=2):
    small_spec["ga"] = {"population": population, "generations": 3, "elite_previous": 2, "elite_all_time": 2,
                        "immigrants": 0, "mode": "steady_state"}  # fmt: skip
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


def _claim_all_queued(search) -> int:
    queued = Entity.objects.filter(search=search, status=Entity.Status.QUEUED)
    return sum(bool(services.entity_claim(entity_id=e.pk, worker=f"w{e.pk}@host")) for e in queued)


@pytest.mark.django_db
def test_a_steady_search_with_no_immigrants_breeds_nothing_past_cohort_zero_before_a_result(small_spec):
    search = _steady_with_no_immigrants(small_spec)
    assert _claim_all_queued(search) == 2  # cohort 0 is all in training: nothing has ended

    assert services.search_advance(search_id=search.pk) == []
    assert reconcile() is not None
    search.refresh_from_db()
    assert search.status == Search.Status.RUNNING and search.births == 2
    assert not Generation.objects.filter(search=search, number=1).exists()


@pytest.mark.django_db
def test_the_same_search_breeds_from_its_first_result_and_completes(small_spec):
    search = _steady_with_no_immigrants(small_spec)
    _claim_all_queued(search)
    services.search_advance(search_id=search.pk)
    for entity in Entity.objects.filter(search=search, status=Entity.Status.RUNNING):
        services.entity_record_result(entity_id=entity.pk, accuracy=0.5, parameter_count=1, train_seconds=0.0)
    services.search_advance(search_id=search.pk)
    while finish_queued(search.pk, lambda genome: genome["dropout"]):
        services.search_advance(search_id=search.pk)
    search.refresh_from_db()
    assert search.status == Search.Status.COMPLETED and search.births == 6


def _broken(small_spec) -> Search:
    """A running search with a generation to breed, whose stored spec no longer parses: every advance raises."""
    search = services.search_create(spec={**small_spec, "name": "broken"}, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    finish_queued(search.pk, lambda genome: genome["dropout"])
    Search.objects.filter(pk=search.pk).update(spec={**small_spec, "traits": "not a list"})
    return search


@pytest.mark.django_db
def test_a_search_whose_advance_raises_fails_with_the_error_and_the_others_go_on(small_spec):
    broken = _broken(small_spec)
    healthy = services.search_create(spec={**small_spec, "name": "healthy"}, execution=Search.Execution.INLINE)
    services.search_start(search_id=healthy.pk)

    for tries in range(1, ADVANCE_ERRORS_TO_FAIL + 1):
        finish_queued(healthy.pk, lambda genome: genome["dropout"])  # each pass has a generation to breed
        reconcile()
        broken.refresh_from_db()
        if tries < ADVANCE_ERRORS_TO_FAIL:
            assert broken.status == Search.Status.RUNNING and broken.advance_errors == tries

    assert broken.status == Search.Status.FAILED
    assert "could not breed" in broken.error and f"({ADVANCE_ERRORS_TO_FAIL} tries)" in broken.error
    healthy.refresh_from_db()
    assert healthy.status == Search.Status.COMPLETED and healthy.advance_errors == 0  # its 3 generations


@pytest.mark.django_db
def test_a_good_advance_clears_the_count_of_errors(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    Search.objects.filter(pk=search.pk).update(advance_errors=ADVANCE_ERRORS_TO_FAIL - 1)
    services.searches_advance_idle()
    search.refresh_from_db()
    assert search.status == Search.Status.RUNNING and search.advance_errors == 0
