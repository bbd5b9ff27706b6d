"""Writes that give an ended search more to do: more generations for a completed one, a resume for a
cancelled one. Both go on from the search's history as the database has it (the strategies keep no
state of their own), and neither trains a candidate again: what was trained keeps its result."""

from __future__ import annotations

import logging
from dataclasses import replace

from django.db import transaction

from searches.clock import db_now
from searches.genetics import MAX_GENERATIONS
from searches.models import Entity, Search
from searches.services.advance import search_advance
from searches.services.births import births_resume
from searches.services.queueing import queue_entities
from searches.services.searches import InvalidTransition, search_start

log = logging.getLogger("gaweb.services")


def search_extend(*, search_id: int, generations: int) -> Search:
    """Give a completed search ``generations`` more generations (in steady-state mode, that many more
    cohorts of births), bred from its whole history, and run them.

    Refused, with the reason, for a search that is not completed, for a count that would pass
    ``MAX_GENERATIONS``, and for a search whose best were already trained at last (their final
    results would no longer be of its best: copy or re-run it instead).
    """
    if isinstance(generations, bool) or not isinstance(generations, int) or generations < 1:
        raise InvalidTransition("give a whole number of generations, 1 or more")
    with transaction.atomic():
        search = Search.objects.select_for_update().get(pk=search_id)
        if search.status != Search.Status.COMPLETED:
            raise InvalidTransition(
                f"only a completed search can be given more generations (this one is {search.status})"
            )
        total = search.generations + generations
        if total > MAX_GENERATIONS:
            raise InvalidTransition(
                f"{search.generations} + {generations} generations is more than the {MAX_GENERATIONS} a search may have"
            )
        if Entity.objects.finals().filter(search=search).exists():
            raise InvalidTransition("its best were already trained at last; edit a copy of it, or re-run it, instead")
        spec = replace(search.settings, ga=replace(search.policy, generations=total)).to_dict()
        Search.objects.filter(pk=search.pk).update(
            spec=spec, generations=total, status=Search.Status.RUNNING, finished_at=None, note="", advance_errors=0
        )
        search.refresh_from_db()
        _queue_untrained(search)  # those a time budget left (``search_finish``)
        if search.is_steady_state:
            births_resume(search)
    log.info("search #%s given %d more generations (%d in all)", search.pk, generations, total)
    search_advance(search_id=search.pk)
    search.refresh_from_db()
    return search


def search_resume(*, search_id: int) -> Search:
    """Take up a cancelled search where it stopped: the candidates the cancel left untrained are
    queued again (a copy that waited for one of them waits again), and the search goes on."""
    with transaction.atomic():
        search = Search.objects.select_for_update().get(pk=search_id)
        if search.status != Search.Status.CANCELLED:
            raise InvalidTransition(f"only a cancelled search can be resumed (this one is {search.status})")
        if search.started_at is None:  # cancelled before it started: it starts now
            Search.objects.filter(pk=search.pk).update(status=Search.Status.PENDING, finished_at=None)
            search_start(search_id=search.pk)
            search.refresh_from_db()
            return search
        Search.objects.filter(pk=search.pk).update(
            status=Search.Status.RUNNING, finished_at=None, error="", advance_errors=0
        )
        search.refresh_from_db()
        requeued = _queue_untrained(search)
        if search.is_steady_state:
            births_resume(search)
    log.info("search #%s resumed: %d candidates queued again", search.pk, len(requeued))
    search_advance(search_id=search.pk)
    search.refresh_from_db()
    return search


def _queue_untrained(search: Search) -> list[int]:
    """Queue again the candidates an early end left untrained (cancelled); a copy that waited for
    one of them waits again. Returns the ids queued (sent once the transaction commits)."""
    untrained = Entity.objects.filter(search=search, status=Entity.Status.CANCELLED)
    untrained.filter(cached_from__isnull=False).update(status=Entity.Status.CACHED, error="", finished_at=None)
    requeued = list(untrained.values_list("pk", flat=True))
    Entity.objects.filter(pk__in=requeued).update(
        status=Entity.Status.QUEUED, error="", finished_at=None, queued_at=db_now(), attempts=0, promotions=0
    )
    queue_entities(search, requeued)
    return requeued
