"""Writes that find lost work again: cut-off entities, silent workers, lost jobs, stalled searches.

Everything here is idempotent, so the supervisors of several machines may run it at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import F

from searches.clock import db_now
from searches.models import Entity, Search
from searches.services.advance import search_advance
from searches.services.entities import active_search, copies_fail_with, plain_error
from searches.services.failures import search_fail_if_failing
from searches.services.queueing import queue_entities
from searches.services.searches import search_fail

log = logging.getLogger("gaweb.services")


def entities_requeue_orphans(*, worker: str, max_attempts: int) -> int:
    """Queue again the entities a worker of this name was training when it last stopped.

    A worker trains one entity at a time and its name (``gpu0@host``) is its own,
    so when its training process starts, any entity still "running" under its name was
    cut off by a kill, a crash or a power cut. Returns how many were queued again (or
    failed, after ``max_attempts``).
    """
    orphans = Entity.objects.filter(worker=worker, status=Entity.Status.RUNNING)
    if not orphans.exists():  # the usual case, asked before every job: a read, no write lock
        return 0
    handled = _requeue_or_fail(orphans, max_attempts=max_attempts, why=f"{worker} stopped while training it")
    if handled:
        log.warning("%s restarted: %d cut-off entities queued again or failed", worker, handled)
    return handled


def entities_requeue_stale(*, stale_after: timedelta, max_attempts: int) -> int:
    """Queue again the running entities whose worker has been silent for ``stale_after``.

    Their worker was killed, lost its machine, or lost the database: the entity is
    trained again by another worker, or failed once it has used ``max_attempts``
    (an entity that kills every worker that takes it must not stop its search).
    """
    stale = Entity.objects.filter(status=Entity.Status.RUNNING, heartbeat_at__lt=db_now() - stale_after)
    handled = _requeue_or_fail(stale, max_attempts=max_attempts, why="its worker went silent while training it")
    if handled:
        log.warning("%d entities with silent workers queued again or failed", handled)
    return handled


def entities_resend_lost(
    *, waiting_longer_than: timedelta, in_broker: Callable[[], Collection[int] | None] = tuple
) -> int:
    """Send again the jobs of entities queued for longer than ``waiting_longer_than`` whose job is
    not among those waiting in the broker (``in_broker()``: their entity ids as the broker holds
    them, asked only when some entity has waited that long; None when it cannot say: nothing is sent).

    Such an entity lost its job: Redis restarted without its data, or was down when the job was
    sent. Each is found by its id, so the lost jobs of one search are sent again however busy the
    queue is with another's (a machine without a search's dataset keeps passing that search's jobs
    on). A job that turns out to be a duplicate (one a worker holds at this moment) is harmless:
    claims are conditional.
    """
    now = db_now()
    lost = list(
        Entity.objects.filter(
            active_search(),
            status=Entity.Status.QUEUED,
            queued_at__lt=now - waiting_longer_than,
            search__execution=Search.Execution.WORKERS,
        ).select_related("search")
    )
    if not lost:
        return 0
    held = in_broker()
    if held is None:
        return 0
    waiting = set(held)  # in Python: a busy queue holds more ids than a query may name
    resent = 0
    with transaction.atomic():
        for entity in (entity for entity in lost if entity.pk not in waiting):
            # Only what is still queued, as it was read: a worker may have claimed it since.
            if Entity.objects.filter(pk=entity.pk, status=Entity.Status.QUEUED).update(queued_at=now):
                queue_entities(entity.search, [entity.pk])
                resent += 1
    if resent:
        log.warning("sent again the lost jobs of %d queued entities", resent)
    return resent


# A search whose advance raises this many times in a row (whichever machines tried) fails.
ADVANCE_ERRORS_TO_FAIL = 3


def searches_advance_idle() -> int:
    """Advance every running search: one whose last result was recorded but whose advance failed
    (the database was away a moment, the worker was killed in between) would otherwise wait forever.
    Returns how many generations this bred.

    One search's error never stops the others, nor the loop that calls this: it is logged and
    counted on the search, which fails with the error at ``ADVANCE_ERRORS_TO_FAIL`` in a row.
    A database error is no search's fault: it is raised, for the caller to wait for the database.
    """
    bred = 0
    running = Search.objects.filter(status=Search.Status.RUNNING).values_list("pk", "advance_errors")
    for search_id, errors in running:
        try:
            bred += len(search_advance(search_id=search_id))
        except DatabaseError:
            raise
        except Exception as error:
            search_advance_failed(search_id=search_id, error=error)
        else:
            if errors:
                Search.objects.filter(pk=search_id).update(advance_errors=0)
    return bred


def search_advance_failed(*, search_id: int, error: Exception) -> bool:
    """Count an error raised while advancing a search; fail the search at the limit. True if it failed."""
    log.error("search #%s could not be advanced", search_id, exc_info=error)
    Search.objects.filter(pk=search_id).update(advance_errors=F("advance_errors") + 1)
    errors = Search.objects.filter(pk=search_id).values_list("advance_errors", flat=True).first() or 0
    if errors < ADVANCE_ERRORS_TO_FAIL:
        return False
    reason = plain_error(f"gaweb could not breed this search's next candidates ({errors} tries): "
                         f"{type(error).__name__}: {error}")  # fmt: skip
    return search_fail(search_id=search_id, reason=reason)


def _requeue_or_fail(entities, *, max_attempts: int, why: str) -> int:
    now = db_now()
    affected: set[int] = set()
    failed: list[int] = []
    count = 0
    with transaction.atomic():
        # A search that ended meanwhile trains nothing more: its cut-off entities end here, and the
        # copies that waited for their result with them (else they would show as queued forever).
        cut_off = entities.exclude(active_search()).filter(status=Entity.Status.RUNNING)
        ended_with_search = list(cut_off.values_list("pk", flat=True))
        reason = f"not finished: {why}, and the search had ended"
        Entity.objects.filter(pk__in=ended_with_search, status=Entity.Status.RUNNING).update(
            status=Entity.Status.FAILED, error=reason, finished_at=now, fitness=None, accuracy=None
        )
        for entity_id in ended_with_search:
            copies_fail_with(entity_id, reason, now)
        for entity in entities.filter(active_search()).select_related("search"):
            # As it was read: the attempt this pass saw, and no other that took it meanwhile.
            running = Entity.objects.filter(pk=entity.pk, status=Entity.Status.RUNNING, attempts=entity.attempts)
            # Claims handed back untrained were not attempts, nor were those that took up a promotion.
            tried = entity.attempts - entity.handbacks - entity.promotions
            if tried >= max_attempts:
                reason = plain_error(
                    f"failed after {tried} attempts: {why} each time (killed, out of memory, or crashed)"
                )
                changed = running.update(
                    status=Entity.Status.FAILED, error=reason, finished_at=now, fitness=None, accuracy=None
                )
                if changed:
                    copies_fail_with(entity.pk, reason, now)
                    affected.add(entity.search_id)
                    failed.append(entity.pk)
            else:
                changed = running.update(status=Entity.Status.QUEUED, queued_at=now, heartbeat_at=None)
                if changed:
                    queue_entities(entity.search, [entity.pk])
            count += changed
    for entity_id in failed:
        search_fail_if_failing(entity_id)
    for search_id in affected:  # a failed entity may have been the last of its generation
        search_advance(search_id=search_id)
    return count
