"""Every write to the search domain.

Concurrency: several workers record results and advance the same search at once.
Claims and results are conditional updates whose row counts say who won. A
search advances under a row lock (PostgreSQL's ``SELECT ... FOR UPDATE``; on
SQLite every transaction is IMMEDIATE, which serialises writers), and breeding
the next generation is claimed by moving ``current_generation`` from n to n + 1
in a conditional update, so exactly one caller breeds it even where locks do
nothing. The unique (search, number) constraint on generations is the last guard.

Recording a result and advancing are separate transactions on purpose: a
worker's advance must see the results that other workers committed before it,
and a result committed by the last worker is then seen by that worker's advance.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, F, Max, Q
from django.utils import timezone

from .catalog import TUTORIAL_GENOME
from .genetics import (
    BreedingPolicy,
    Individual,
    Proposal,
    Space,
    genome_hash,
    propose_generation,
)
from .models import Entity, Generation, Search, SearchSpace, Trait
from .queueing import queue_entities
from .specs import SearchSpec, fitness_from, parse_spec

log = logging.getLogger("gaweb.services")


class InvalidTransition(Exception):
    """The search is not in a state that allows this action."""


# --- Searches -------------------------------------------------------------------


def search_create(
    *,
    spec: Mapping[str, Any] | SearchSpec,
    owner=None,
    execution: str = Search.Execution.WORKERS,
) -> Search:
    """Validate ``spec`` and store a pending search with its search space.

    Raises ``SpecError`` (nothing stored) when the spec is invalid.
    """
    if not isinstance(spec, SearchSpec):
        spec = parse_spec(spec, data_roots=settings.GAWEB_DATA_ROOTS)
    with transaction.atomic():
        space = SearchSpace.objects.create(name=spec.name, owner=owner)
        Trait.objects.bulk_create(
            Trait(
                space=space,
                position=position,
                name=item["name"],
                type=item["type"],
                low=item.get("low"),
                high=item.get("high"),
                step=item.get("step"),
                choices=item.get("choices"),
            )
            for position, item in enumerate(spec.space.to_spec())
        )
        return Search.objects.create(
            name=spec.name,
            owner=owner,
            space=space,
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
            status=Search.Status.RUNNING, started_at=timezone.now(), current_generation=0
        )
        if not started:
            raise InvalidTransition(f"search #{search_id} is not pending")
        search = Search.objects.get(pk=search_id)
        space, policy = _space_and_policy(search)
        proposals = propose_generation(space, policy, seed=search.seed, number=0)
        if search.spec.get("baseline"):
            genome = {name: TUTORIAL_GENOME[name] for name in space.names}
            proposals.append(Proposal(key=(0, len(proposals)), genome=genome, origin=Entity.Origin.BASELINE))
        return _create_generation(search, 0, proposals)


def search_advance(*, search_id: int) -> list[int]:
    """End the current generation if every candidate has ended, then breed the next or complete.

    Safe to call at any time and from any number of processes: it does nothing
    while candidates are pending, and each generation is bred exactly once. A
    generation whose candidates were all cached ends at once, so this loops.
    Returns the numbers of the generations it bred.
    """
    bred: list[int] = []
    while True:
        with transaction.atomic():
            search = Search.objects.select_for_update().get(pk=search_id)
            if search.status != Search.Status.RUNNING:
                return bred
            generation = search.generation_set.get(number=search.current_generation)
            if _pending(generation).exists():
                return bred
            _summarise(generation)
            number = generation.number + 1
            if number >= search.generations:
                Search.objects.filter(pk=search.pk, status=Search.Status.RUNNING).update(
                    status=Search.Status.COMPLETED, finished_at=timezone.now()
                )
                log.info("search #%s completed", search.pk)
                return bred
            claimed = Search.objects.filter(
                pk=search.pk, status=Search.Status.RUNNING, current_generation=generation.number
            ).update(current_generation=number)
            if not claimed:
                return bred
            _breed(search, number)
            bred.append(number)


def search_fail(*, search_id: int, reason: str) -> bool:
    """Stop a search for good because of ``reason`` (shown to the user). True if it was active."""
    with transaction.atomic():
        failed = Search.objects.filter(pk=search_id, status__in=(Search.Status.PENDING, Search.Status.RUNNING)).update(
            status=Search.Status.FAILED, error=reason, finished_at=timezone.now()
        )
        if failed:
            Entity.objects.filter(search_id=search_id, status=Entity.Status.QUEUED).update(
                status=Entity.Status.FAILED, error="not trained: the search failed", finished_at=timezone.now()
            )
    if failed:
        log.error("search #%s failed: %s", search_id, reason)
    return bool(failed)


def search_cancel(*, search_id: int) -> bool:
    """Stop a pending or running search: nothing more of it is trained. True if it was active.

    Its queued entities end as failed ("cancelled"); the jobs already sent find
    nothing to claim and are dropped by the workers at once. An entity in training
    finishes and its result is kept (the GPU time is spent), but nothing is bred from it.
    """
    now = timezone.now()
    with transaction.atomic():
        cancelled = Search.objects.filter(
            pk=search_id, status__in=(Search.Status.PENDING, Search.Status.RUNNING)
        ).update(status=Search.Status.CANCELLED, finished_at=now)
        if cancelled:
            Entity.objects.filter(search_id=search_id, status=Entity.Status.QUEUED).update(
                status=Entity.Status.FAILED, error="cancelled before training", finished_at=now
            )
    if cancelled:
        log.info("search #%s cancelled", search_id)
    return bool(cancelled)


def search_rerun(*, search_id: int, owner) -> Search:
    """A new search from the same spec (and seed), started at once."""
    original = Search.objects.get(pk=search_id)
    return search_create_and_start(spec=original.spec, owner=owner)


# --- Entities -------------------------------------------------------------------


def entity_claim(*, entity_id: int, worker: str, gpu: str = "") -> Entity | None:
    """Take a queued entity of a running search for training; None if someone else has it."""
    with transaction.atomic():
        # The search's status through a subquery, not a join: with a join Django rewrites the
        # UPDATE as "WHERE id IN (SELECT ...)", and PostgreSQL's re-check after a row lock would
        # then not see that another claim changed the status: two claims could both succeed.
        running = Search.objects.filter(status=Search.Status.RUNNING).values("pk")
        claimed = Entity.objects.filter(pk=entity_id, status=Entity.Status.QUEUED, search_id__in=running).update(
            status=Entity.Status.RUNNING,
            worker=worker,
            gpu=gpu,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return None
        return Entity.objects.select_related("search").get(pk=entity_id)


def entity_record_result(
    *,
    entity_id: int,
    accuracy: float,
    parameter_count: int,
    train_seconds: float,
    history: Sequence[Mapping[str, Any]] = (),
    timings: Mapping[str, float] | None = None,
    attempt: int | None = None,
) -> bool:
    """Record a trained entity's result (and its cached copies'). False if it was not running.

    ``attempt`` (the claim's attempt number) makes sure that a worker that lost its claim
    (it went silent and the entity was given to another) cannot record over the new one.
    """
    with transaction.atomic():
        search = Search.objects.get(entities__pk=entity_id)
        fitness = fitness_from(
            accuracy=accuracy,
            parameter_count=parameter_count,
            size_penalty=search.spec["fitness"]["size_penalty"],
        )
        recorded = _running(entity_id, attempt).update(
            status=Entity.Status.DONE,
            fitness=fitness,
            accuracy=accuracy,
            parameter_count=parameter_count,
            train_seconds=train_seconds,
            history=list(history),
            timings=dict(timings or {}),
            error="",
            finished_at=timezone.now(),
        )
        if recorded:
            Entity.objects.filter(cached_from_id=entity_id).update(
                fitness=fitness, accuracy=accuracy, parameter_count=parameter_count, finished_at=timezone.now()
            )
    return bool(recorded)


def entity_record_failure(*, entity_id: int, reason: str, attempt: int | None = None) -> bool:
    """Record that a candidate failed (it counts as fitness 0 for breeding). False if it was not running."""
    reason = _plain(reason)
    with transaction.atomic():
        recorded = _running(entity_id, attempt).update(
            status=Entity.Status.FAILED, error=reason, finished_at=timezone.now()
        )
        if recorded:
            Entity.objects.filter(cached_from_id=entity_id).update(
                error=f"same genome as entity #{entity_id}, which failed: {reason}", finished_at=timezone.now()
            )
    return bool(recorded)


# --- Internals --------------------------------------------------------------------

_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_ERROR_LENGTH = 4000


def _plain(text: str) -> str:
    """An error message fit to show on a page: no terminal colour codes, bounded length."""
    text = _TERMINAL_CODES.sub("", text).strip()
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def _space_and_policy(search: Search) -> tuple[Space, BreedingPolicy]:
    # The stored spec was validated when the search was created.
    return Space.from_spec(search.spec["traits"]), BreedingPolicy.from_spec(search.spec["ga"])


def _pending(generation: Generation):
    """Candidates that have not ended, including copies of a genome still in training."""
    return generation.entities.filter(
        Q(status__in=Entity.PENDING) | Q(status=Entity.Status.CACHED, cached_from__status__in=Entity.PENDING)
    )


def _summarise(generation: Generation) -> None:
    if generation.finished_at is not None:
        return
    candidates = generation.entities.exclude(status=Entity.Status.PARENT_ONLY).exclude(origin=Entity.Origin.BASELINE)
    summary = candidates.aggregate(
        best=Max("fitness"),
        mean=Avg("fitness", filter=Q(fitness__isnull=False)),
        done=Count("id", filter=Q(status=Entity.Status.DONE)),
        failed=Count("id", filter=Q(status=Entity.Status.FAILED)),
        cached=Count("id", filter=Q(status=Entity.Status.CACHED)),
    )
    Generation.objects.filter(pk=generation.pk).update(
        finished_at=timezone.now(),
        best_fitness=summary["best"],
        mean_fitness=summary["mean"],
        done_count=summary["done"],
        failed_count=summary["failed"],
        cached_count=summary["cached"],
    )


def _breed(search: Search, number: int) -> Generation:
    space, policy = _space_and_policy(search)
    ended = (
        Entity.objects.filter(search=search, status__in=Entity.ENDED)
        .exclude(origin=Entity.Origin.BASELINE)  # a reference point, not a member of the population
        .order_by("generation__number", "index")
        .values_list("generation__number", "index", "genome", "fitness")
    )
    history = [
        Individual(key=(gen, index), genome=genome, fitness=fitness if fitness is not None else 0.0)
        for gen, index, genome, fitness in ended
    ]
    proposals = propose_generation(
        space,
        policy,
        seed=search.seed,
        number=number,
        previous=[ind for ind in history if ind.key[0] == number - 1],
        history=history,
    )
    return _create_generation(search, number, proposals)


def _create_generation(search: Search, number: int, proposals: Sequence[Proposal]) -> Generation:
    """Store a generation's entities and queue those that need training.

    A genome already trained in this search is ``cached`` with the earlier result;
    a genome that appears twice in this generation is trained once, and the
    second copy is ``cached`` from the first and filled in when it ends.
    """
    generation = Generation.objects.create(search=search, number=number)
    ids = _ids_of_parents(search, proposals)

    # Immigrants first: offspring of this generation name them as parents.
    immigrants = [p for p in proposals if not p.evaluate]
    stored = Entity.objects.bulk_create(
        _entity(search, generation, p, ids, status=Entity.Status.PARENT_ONLY) for p in immigrants
    )
    ids.update((p.key, entity.pk) for p, entity in zip(immigrants, stored, strict=True))

    trained = {
        row["genome_hash"]: row
        for row in Entity.objects.filter(search=search, status__in=(Entity.Status.DONE, Entity.Status.FAILED))
        .order_by("-id")  # so that the earliest entity of a genome is the one kept
        .values("id", "genome_hash", "status", "fitness", "accuracy", "parameter_count", "error")
    }
    firsts: set[str] = set()
    to_train, cached, copies_of_siblings = [], [], []
    for proposal in (p for p in proposals if p.evaluate):
        digest = genome_hash(proposal.genome)
        if digest in trained:
            cached.append(_copy_of_trained(search, generation, proposal, ids, trained[digest]))
        elif digest in firsts:
            copies_of_siblings.append(proposal)
        else:
            firsts.add(digest)
            to_train.append(
                _entity(search, generation, proposal, ids, status=Entity.Status.QUEUED, queued_at=timezone.now())
            )

    created = Entity.objects.bulk_create(to_train)
    first_ids = {entity.genome_hash: entity.pk for entity in created}
    cached += [
        _entity(
            search,
            generation,
            p,
            ids,
            status=Entity.Status.CACHED,
            cached_from_id=first_ids[genome_hash(p.genome)],
        )
        for p in copies_of_siblings
    ]
    Entity.objects.bulk_create(cached)
    queue_entities(search, [entity.pk for entity in created])
    log.info("search #%s generation %s: %d to train, %d cached", search.pk, number + 1, len(created), len(cached))
    return generation


def _ids_of_parents(search: Search, proposals: Sequence[Proposal]) -> dict[tuple[int, int], int]:
    keys = {key for p in proposals for key in p.parents}
    if not keys:
        return {}
    # By generation, then matched here: one OR term per parent overflows SQLite's expression limit.
    rows = Entity.objects.filter(search=search, generation__number__in={gen for gen, _ in keys}).values_list(
        "generation__number", "index", "id"
    )
    return {(gen, index): pk for gen, index, pk in rows if (gen, index) in keys}


def _entity(search, generation, proposal: Proposal, ids, *, status: str, **fields) -> Entity:
    parents = [ids.get(key) for key in proposal.parents] + [None, None]
    return Entity(
        search=search,
        generation=generation,
        index=proposal.key[1],
        genome=proposal.genome,
        genome_hash=genome_hash(proposal.genome),
        origin=proposal.origin,
        parent_a_id=parents[0],
        parent_b_id=parents[1],
        inheritance=dict(proposal.inheritance),
        status=status,
        **fields,
    )


def _copy_of_trained(search, generation, proposal, ids, original: dict[str, Any]) -> Entity:
    failed = original["status"] == Entity.Status.FAILED
    return _entity(
        search,
        generation,
        proposal,
        ids,
        status=Entity.Status.CACHED,
        cached_from_id=original["id"],
        fitness=original["fitness"],
        accuracy=original["accuracy"],
        parameter_count=original["parameter_count"],
        error=f"same genome as entity #{original['id']}, which failed: {original['error']}" if failed else "",
        finished_at=timezone.now(),
    )


def entity_heartbeat(*, entity_id: int, attempt: int | None = None) -> bool:
    """The training worker is alive: refresh the entity's heartbeat. False if it is not running."""
    return bool(_running(entity_id, attempt).update(heartbeat_at=timezone.now()))


def _running(entity_id: int, attempt: int | None):
    """The entity, while it runs under this attempt's claim."""
    running = Entity.objects.filter(pk=entity_id, status=Entity.Status.RUNNING)
    return running if attempt is None else running.filter(attempts=attempt)


def entities_requeue_orphans(*, worker: str, max_attempts: int) -> int:
    """Queue again the entities a worker of this name was training when it last stopped.

    A worker trains one entity at a time and its name (``gpu0@host``) is its own,
    so when it starts, any entity still "running" under its name was cut off by a
    kill, a crash or a power cut. Returns how many were queued again (or failed,
    after ``max_attempts``).
    """
    orphans = Entity.objects.filter(worker=worker, status=Entity.Status.RUNNING)
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
    stale = Entity.objects.filter(status=Entity.Status.RUNNING, heartbeat_at__lt=timezone.now() - stale_after)
    handled = _requeue_or_fail(stale, max_attempts=max_attempts, why="its worker went silent while training it")
    if handled:
        log.warning("%d entities with silent workers queued again or failed", handled)
    return handled


def entities_resend_lost(*, waiting_longer_than: timedelta) -> int:
    """Send again the jobs of entities queued for longer than ``waiting_longer_than``.

    Call it when the broker's queue is empty: an entity still queued then has lost
    its job (Redis restarted without its data, or was down when the job was sent).
    A job that turns out to be a duplicate is harmless: claims are conditional.
    """
    now = timezone.now()
    lost = list(
        Entity.objects.filter(
            status=Entity.Status.QUEUED,
            queued_at__lt=now - waiting_longer_than,
            search__status=Search.Status.RUNNING,
            search__execution=Search.Execution.WORKERS,
        ).select_related("search")
    )
    with transaction.atomic():
        for entity in lost:
            Entity.objects.filter(pk=entity.pk, status=Entity.Status.QUEUED).update(queued_at=now)
            queue_entities(entity.search, [entity.pk])
    if lost:
        log.warning("sent again the lost jobs of %d queued entities", len(lost))
    return len(lost)


def searches_advance_idle() -> int:
    """Advance every running search: one whose last result was recorded but whose advance failed
    (the database was away a moment, the worker was killed in between) would otherwise wait forever.
    Returns how many generations this bred."""
    bred = 0
    for search_id in Search.objects.filter(status=Search.Status.RUNNING).values_list("pk", flat=True):
        bred += len(search_advance(search_id=search_id))
    return bred


def _requeue_or_fail(entities, *, max_attempts: int, why: str) -> int:
    now = timezone.now()
    affected: set[int] = set()
    count = 0
    with transaction.atomic():
        # A search that ended meanwhile trains nothing more: its cut-off entities end here.
        entities.exclude(search__status=Search.Status.RUNNING).filter(status=Entity.Status.RUNNING).update(
            status=Entity.Status.FAILED, error=f"not finished: {why}, and the search had ended", finished_at=now
        )
        for entity in entities.filter(search__status=Search.Status.RUNNING).select_related("search"):
            running = Entity.objects.filter(pk=entity.pk, status=Entity.Status.RUNNING)
            if entity.attempts >= max_attempts:
                reason = _plain(f"failed after {entity.attempts} attempts: {why} each time (killed, out of memory, "
                                "or crashed)")  # fmt: skip
                changed = running.update(status=Entity.Status.FAILED, error=reason, finished_at=now)
                if changed:
                    Entity.objects.filter(cached_from_id=entity.pk).update(
                        error=f"same genome as entity #{entity.pk}, which failed: {reason}", finished_at=now
                    )
                    affected.add(entity.search_id)
            else:
                changed = running.update(status=Entity.Status.QUEUED, queued_at=now, heartbeat_at=None)
                if changed:
                    queue_entities(entity.search, [entity.pk])
            count += changed
    for search_id in affected:  # a failed entity may have been the last of its generation
        search_advance(search_id=search_id)
    return count
