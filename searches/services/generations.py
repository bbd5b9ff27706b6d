"""Writes that move a search from one generation to the next: end it, breed the next, store it.

Concurrency: several workers record results and advance the same search at once.
A search advances under a row lock (PostgreSQL's ``SELECT ... FOR UPDATE``; on
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
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Max, Q

from searches.clock import db_now
from searches.genetics import Proposal, genome_hash, propose
from searches.models import Entity, Generation, Search
from searches.services import told
from searches.services.brackets import bracket_promote
from searches.services.entities import failed_copy_error
from searches.services.queueing import queue_entities

log = logging.getLogger("gaweb.services")


def generations_advance(*, search_id: int) -> list[int]:
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
            bracket_promote(search, generation)  # a rung every candidate reached: its best go on
            if _pending(generation).exists():
                return bred
            summarise(generation)
            number = generation.number + 1
            if number >= search.generations:
                if confirm_best(search):
                    return bred
                Search.objects.filter(pk=search.pk, status=Search.Status.RUNNING).update(
                    status=Search.Status.COMPLETED, finished_at=db_now()
                )
                log.info("search #%s completed", search.pk)
                return bred
            claimed = Search.objects.filter(
                pk=search.pk, status=Search.Status.RUNNING, current_generation=generation.number
            ).update(current_generation=number)
            if not claimed:
                return bred
            if not _breed(search, number):
                complete_exhausted(search)
                return bred
            bred.append(number)


def create_generation(search: Search, number: int, proposals: Sequence[Proposal]) -> Generation:
    """Store a generation and its entities, and queue those that need training."""
    generation = Generation.objects.create(search=search, number=number)
    create_entities(search, generation, proposals)
    return generation


def create_entities(search: Search, generation: Generation, proposals: Sequence[Proposal]) -> None:
    """Store proposals as entities of ``generation`` and queue those that need training.

    A genome already trained in this search is ``cached`` with the earlier result;
    a genome that appears twice in these proposals is trained once, and the
    second copy is ``cached`` from the first and filled in when it ends.
    """
    number = generation.number
    ids = _ids_of_parents(search, proposals)

    # Immigrants first: offspring of this generation name them as parents.
    immigrants = [p for p in proposals if not p.evaluate]
    stored = Entity.objects.bulk_create(
        _entity(search, generation, p, ids, status=Entity.Status.PARENT_ONLY) for p in immigrants
    )
    ids.update((p.key, entity.pk) for p, entity in zip(immigrants, stored, strict=True))

    # Only the reference's way with duplicates proposes a genome the search already has (with
    # "rebreed" every proposal is new): then, and only then, are earlier results looked up, by hash.
    digests = {genome_hash(p.genome) for p in proposals if p.evaluate}
    earlier = Entity.objects.filter(search=search, status__in=(Entity.Status.DONE, Entity.Status.FAILED))
    if search.policy.duplicates == "rebreed":
        earlier = earlier.none()
    trained = {
        row["genome_hash"]: row
        for row in earlier.filter(genome_hash__in=digests)
        .order_by("-id")  # so that the earliest entity of a genome is the one kept
        .values("id", "genome_hash", "status", "fitness", "accuracy", "parameter_count", "error")
    }
    firsts: set[str] = set()
    to_train, cached, copies_of_siblings = [], [], []
    now = db_now()  # once: on PostgreSQL it is a query
    for proposal in (p for p in proposals if p.evaluate):
        digest = genome_hash(proposal.genome)
        if digest in trained:
            cached.append(_copy_of_trained(search, generation, proposal, ids, trained[digest]))
        elif digest in firsts:
            copies_of_siblings.append(proposal)
        else:
            firsts.add(digest)
            to_train.append(_entity(search, generation, proposal, ids, status=Entity.Status.QUEUED, queued_at=now))

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


def _pending(generation: Generation):
    """Candidates that have not ended, including copies of a genome still in training."""
    return generation.entities.filter(
        Q(status__in=Entity.PENDING) | Q(status=Entity.Status.CACHED, cached_from__status__in=Entity.PENDING)
    )


def summarise(generation: Generation) -> None:
    if generation.finished_at is not None:
        return
    candidates = generation.entities.population().exclude(status=Entity.Status.PARENT_ONLY)
    summary = candidates.aggregate(
        best=Max("fitness"),
        mean=Avg("fitness", filter=Q(fitness__isnull=False)),
        done=Count("id", filter=Q(status=Entity.Status.DONE)),
        failed=Count("id", filter=Q(status=Entity.Status.FAILED)),
        cached=Count("id", filter=Q(status=Entity.Status.CACHED)),
        stopped=Count("id", filter=Q(status=Entity.Status.STOPPED)),
    )
    Generation.objects.filter(pk=generation.pk).update(
        finished_at=db_now(),
        best_fitness=summary["best"],
        mean_fitness=summary["mean"],
        done_count=summary["done"],
        failed_count=summary["failed"],
        cached_count=summary["cached"],
        stopped_count=summary["stopped"],
    )


def confirm_best(search: Search) -> bool:
    """Queue the confirmations of the search's best candidates (``ga.confirm``) that have none yet.

    Each of the ``confirm`` best candidates is trained once more, from other initial weights;
    the search's best is then the one whose trainings average highest. Returns whether it
    queued any now (the search completes when they have ended). The best by their first
    training do not change once confirmed, so this queues once; a search given more
    generations confirms its new best, if they are new.
    """
    if not search.policy.confirm:
        return False
    top = (
        Entity.objects.population()
        .filter(search=search, status=Entity.Status.DONE)
        .order_by("-fitness", "generation__number", "index")[: search.policy.confirm]
    )
    confirmed = set(Entity.objects.confirmations().filter(search=search).values_list("replicate_of", flat=True))
    best = [entity for entity in top if entity.pk not in confirmed]
    if not best:
        return False
    generation = search.generation_set.order_by("-number").first()
    first = (generation.entities.aggregate(last=Max("index"))["last"] or 0) + 1
    now = db_now()
    created = Entity.objects.bulk_create(
        Entity(
            search=search, generation=generation, index=first + j, genome=original.genome,
            genome_hash=original.genome_hash, origin=Entity.Origin.CONFIRMATION, replicate_of=original,
            status=Entity.Status.QUEUED, queued_at=now,
        )
        for j, original in enumerate(best)
    )  # fmt: skip
    queue_entities(search, [entity.pk for entity in created])
    log.info("search #%s: confirming its %d best candidates", search.pk, len(created))
    return True


def complete_exhausted(search: Search) -> None:
    combinations = search.space.combinations
    note = (
        f"the space has no new genome left: all {combinations:,} of its genomes were evaluated"
        if combinations is not None
        else "the strategy found no new genome to propose"
    )
    Search.objects.filter(pk=search.pk, status=Search.Status.RUNNING).update(
        status=Search.Status.COMPLETED, finished_at=db_now(), note=note
    )
    log.info("search #%s completed early: %s", search.pk, note)


def _breed(search: Search, number: int) -> list[Proposal]:
    """Propose and store generation ``number``; returns its proposals (none when the space ran out)."""
    ended = (
        Entity.objects.population()  # not the baseline (a reference point) nor a confirmation (a copy)
        .filter(search=search, status__in=Entity.ENDED)
        .order_by("generation__number", "index")
        .values_list(*told.FIELDS)
    )
    history = told.individuals(search, list(ended))
    # Every genome the search has, trained or not, so that a strategy proposes only new ones.
    taken = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    proposals = propose(
        search.space,
        search.policy,
        seed=search.seed,
        number=number,
        previous=[ind for ind in history if ind.key[0] == number - 1],
        history=history,
        taken=set(taken.values_list("genome_hash", flat=True)),
    )
    if not any(p.evaluate for p in proposals):
        return []
    create_generation(search, number, proposals)
    return proposals


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
        rebreeds=proposal.rebreeds,
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
        error=failed_copy_error(original["id"], original["error"]) if failed else "",
        finished_at=db_now(),
    )
