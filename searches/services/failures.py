"""A candidate fails: recorded, and a search whose candidates keep failing fails with the error.

Apart from ``entities`` because failing a search is ``searches``' write, which itself depends
on breeding, which depends on ``entities``.
"""

from __future__ import annotations

from searches.models import Entity, Search
from searches.services.entities import plain_error, record_failure
from searches.services.searches import search_fail


def entity_record_failure(*, entity_id: int, reason: str, attempt: int | None = None) -> bool:
    """Record that a candidate failed (it counts as fitness 0 for breeding). False if it is not this claim's.

    Safe to repeat for the same attempt, like ``entity_record_result``. When it is the
    ``training.max_consecutive_failures``-th failure in a row, its search fails with its error.
    """
    recorded = record_failure(entity_id=entity_id, reason=reason, attempt=attempt)
    if recorded:
        search_fail_if_failing(entity_id)
    return recorded


def search_fail_if_failing(entity_id: int) -> bool:
    """Fail the search of a candidate that just failed, when its last ``max_consecutive_failures``
    candidates to end all failed: the same error again and again would spend its whole budget
    (KerasTuner's ``max_consecutive_failed_trials``). True if it failed the search."""
    entity = Entity.objects.select_related("search").only("origin", "search__spec", "search__status").get(pk=entity_id)
    search, limit = entity.search, entity.search.max_consecutive_failures
    if not limit or entity.origin in Entity.MEASUREMENTS or search.status != Search.Status.RUNNING:
        return False
    trained = (Entity.Status.DONE, Entity.Status.FAILED, Entity.Status.STOPPED)
    last = list(
        Entity.objects.population()
        .filter(search=search, status__in=trained)
        .order_by("-finished_at", "-pk")
        .values_list("status", "error")[:limit]
    )
    if len(last) < limit or any(status != Entity.Status.FAILED for status, _ in last):
        return False
    reason = plain_error(
        f"its last {limit} candidates all failed (training.max_consecutive_failures); the last one: {last[0][1]}"
    )
    return search_fail(search_id=search.pk, reason=reason)
