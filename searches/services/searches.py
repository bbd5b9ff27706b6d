"""Writes for a search as a whole: create it, start it, end it (failed, cancelled or finished early), run it again."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from searches.clock import db_now
from searches.genetics import Proposal, propose
from searches.models import Entity, Generation, Search
from searches.reads.objectives import objective_traits, objectives_known
from searches.services.births import births_start
from searches.services.brackets import end_brackets
from searches.services.generations import create_entities, create_generation
from searches.spec.catalog import TUTORIAL_GENOME
from searches.spec.checks import MAX_NAME_LENGTH
from searches.spec.search import SearchSpec, parse_spec

log = logging.getLogger("gaweb.services")


class InvalidTransition(Exception):
    """The search is not in a state that allows this action."""


def search_create(
    *,
    spec: Mapping[str, Any] | SearchSpec,
    owner=None,
    execution: str = Search.Execution.WORKERS,
) -> Search:
    """Validate ``spec`` and store a pending search.

    Raises ``SpecError`` (nothing stored) when the spec is invalid.
    """
    if not isinstance(spec, SearchSpec):
        spec = parse_spec(spec, data_roots=settings.GAWEB_DATA_ROOTS, objectives=objective_traits())
    known = objectives_known().get(spec.objective)
    return Search.objects.create(
        metric=known.metric if known else "val_accuracy",
        direction=known.direction if known else "maximize",
        name=spec.name,
        owner=owner,
        spec=spec.to_dict(),
        seed=spec.seed,
        dataset=spec.dataset,
        objective=spec.objective,
        population=spec.ga.population,
        generations=spec.ga.generations,
        execution=execution,
    )


def search_create_and_start(*, spec: Mapping[str, Any] | SearchSpec, owner=None) -> Search:
    """Store a search and queue its generation 0, all or nothing (for the form and the API)."""
    with transaction.atomic():
        search = search_create(spec=spec, owner=owner)
        search_start(search_id=search.pk)
    search.refresh_from_db()
    return search


def search_start(*, search_id: int) -> Generation:
    """Move a pending search to running and queue generation 0."""
    with transaction.atomic():
        started = Search.objects.filter(pk=search_id, status=Search.Status.PENDING).update(
            status=Search.Status.RUNNING, started_at=db_now(), current_generation=0
        )
        if not started:
            raise InvalidTransition(f"search #{search_id} is not pending")
        search = Search.objects.get(pk=search_id)
        baseline = []
        if search.has_baseline:
            genome = {name: TUTORIAL_GENOME[name] for name in search.space.names}
            baseline = [Proposal(key=(0, search.population), genome=genome, origin=Entity.Origin.BASELINE)]
        if search.is_steady_state:
            births_start(search)
            generation = search.generation_set.get(number=0)
            create_entities(search, generation, baseline)
            return generation
        proposals = propose(search.space, search.policy, seed=search.seed, number=0)
        return create_generation(search, 0, proposals + baseline)


def search_fail(*, search_id: int, reason: str) -> bool:
    """Stop a search for good because of ``reason`` (shown to the user). True if it was active."""
    failed = _end(search_id, Search.Status.FAILED, error=reason, queued_reason="not trained: the search failed")
    if failed:
        log.error("search #%s failed: %s", search_id, reason)
    return failed


def search_cancel(*, search_id: int) -> bool:
    """Stop a pending or running search: nothing more of it is trained. True if it was active.

    Its queued entities end as cancelled, never trained; the jobs already sent
    find nothing to claim and are dropped by the workers at once. An entity in training
    finishes and its result is kept (the GPU time is spent), but nothing is bred from it.
    """
    cancelled = _end(search_id, Search.Status.CANCELLED, error="", queued_reason="cancelled before training")
    if cancelled:
        log.info("search #%s cancelled", search_id)
    return cancelled


def search_finish(*, search_id: int, note: str) -> bool:
    """End a running search now as completed, keeping what it found (its best can then be trained
    at last): a time budget spent, or a user who has seen enough. True if it was active.

    Its queued entities end as cancelled, as in ``search_cancel``; ``note`` says why it ended.
    """
    finished = _end(
        search_id, Search.Status.COMPLETED, error="", queued_reason="not trained: the search was finished early"
    )
    if finished:
        Search.objects.filter(pk=search_id).update(note=note)
        log.info("search #%s finished early: %s", search_id, note)
    return finished


def search_rerun(*, search_id: int, owner) -> Search:
    """A new search from the same spec (and seed), started at once, named as a re-run of the original
    (the list would otherwise show two searches of one name)."""
    original = Search.objects.get(pk=search_id)
    name = f"{original.name} (re-run of #{original.pk})"[:MAX_NAME_LENGTH]
    return search_create_and_start(spec={**original.spec, "name": name}, owner=owner)


def _end(search_id: int, status: str, *, error: str, queued_reason: str) -> bool:
    """End an active search with ``status``.

    Its queued entities, and the copies that waited for one of them, end as cancelled with
    ``queued_reason``: never trained, so neither failed nor a result.
    """
    now = db_now()
    with transaction.atomic():
        ended = Search.objects.filter(pk=search_id, status__in=(Search.Status.PENDING, Search.Status.RUNNING)).update(
            status=status, error=error, finished_at=now
        )
        if ended:
            # A copy waits for its original: cancelled with it when that was queued; a copy of
            # one in training gets its result when that training ends, as ever.
            queued = Q(status=Entity.Status.QUEUED)
            waiting = Q(status=Entity.Status.CACHED, finished_at__isnull=True, cached_from__status=Entity.Status.QUEUED)
            Entity.objects.filter(queued | waiting, search_id=search_id).update(
                status=Entity.Status.CANCELLED, error=queued_reason, finished_at=now
            )
            if status != Search.Status.CANCELLED:  # a cancel keeps its brackets for a resume
                end_brackets(search_id, now)
    return bool(ended)
