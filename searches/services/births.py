"""Steady-state breeding (``ga.mode: "steady_state"``): a child for every candidate that ends, at once.

No worker waits for a generation to end. Each candidate that ends is answered by one
birth, bred from the policy's pool as it is at that moment ("the previous generation"
is the last ``population`` candidates to end, "all time" is every candidate that has
ended), with a random stream of the birth's own (``birth_rng(seed, birth)``). A
candidate's ``generation`` is its birth cohort, ``birth // population``: cohort 0 is
random, like generation 0 of the generational mode, and each later cohort has its
``immigrants`` (parents only), drawn when its first child is bred.

At start, one candidate more than the workers listening on this installation's queue is
queued (the whole of cohort 0 when they cannot be counted). After each birth at least
``WAITING`` candidates wait in the queue: one for the worker that just finished, and one
for a worker that has just joined, which would otherwise wait for the next candidate to end.

Concurrency: births happen under the search's row lock (PostgreSQL) or an immediate
transaction (SQLite). An ended candidate is marked ``bred`` in the transaction that
stores its child, so each has exactly one child however many workers advance at once;
``Search.births`` numbers the births, and the unique (generation, index) of an entity is
the last guard.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F

from searches.clock import db_now
from searches.genetics import Individual, cohort_immigrants, propose_birth
from searches.models import Entity, Generation, Search
from searches.services import told
from searches.services.generations import complete_exhausted, confirm_best, create_entities, summarise
from searches.services.queueing import workers_listening

log = logging.getLogger("gaweb.services")

WAITING = 2


def births_start(search: Search) -> None:
    """Queue the first births of a steady-state search (in the caller's transaction)."""
    listening = 1 if search.execution == Search.Execution.INLINE else workers_listening()
    first = search.population if listening is None else listening + 1
    _breed(search, min(first, search.population, search.birth_budget))


def births_resume(search: Search) -> None:
    """Queue births for a search taken up again (given more cohorts, or resumed) as at its start: one
    more than the workers listening, less the candidates already queued (in the caller's transaction)."""
    listening = 1 if search.execution == Search.Execution.INLINE else workers_listening()
    wanted = search.population if listening is None else listening + 1
    waiting = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).count()
    count = min(wanted - waiting, search.birth_budget - search.births)
    if count > 0:
        _breed(search, count)


def births_advance(*, search_id: int) -> list[int]:
    """Answer every candidate that has ended since the last call with a child; complete the search
    at the end of its budget. Safe to call at any time, from any number of processes.

    Returns the numbers of the births it made.
    """
    with transaction.atomic():
        search = Search.objects.select_for_update().get(pk=search_id)
        if search.status != Search.Status.RUNNING:
            return []
        ended = Entity.objects.filter(Entity.has_ended(), search=search, bred=False).exclude(
            origin=Entity.Origin.BASELINE
        )
        answered = ended.update(bred=True)
        waiting = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).count()
        wanted = min(search.birth_budget - search.births, max(answered, WAITING - waiting))
        births = _breed(search, wanted) if wanted > 0 else []
        for generation in Generation.objects.filter(search=search, finished_at__isnull=True):
            if _cohort_ended(search, generation):
                summarise(generation)
        if not _pending(search).exists():
            if search.births >= search.birth_budget:
                if confirm_best(search):
                    return births
                Search.objects.filter(pk=search.pk, status=Search.Status.RUNNING).update(
                    status=Search.Status.COMPLETED, finished_at=db_now()
                )
                log.info("search #%s completed", search.pk)
            elif wanted > 0 and not births:
                complete_exhausted(search)  # the strategy found no new genome to propose
        return births


class GenomesOfSearch:
    """The hashes of a search's genomes, as the database has them now: a birth asks about a few,
    and a search of a hundred thousand candidates is not loaded for each."""

    def __init__(self, search: Search):
        self._candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)

    def __contains__(self, digest: object) -> bool:
        return self._candidates.filter(genome_hash=digest).exists()

    def __len__(self) -> int:
        return self._candidates.count()

    def __iter__(self):
        return iter(self._candidates.values_list("genome_hash", flat=True))


def _history(search: Search) -> list[Individual]:
    """The candidates that have ended, in the order they ended, as the strategy needs them.

    The genetic algorithm's parents are the best of the last ``population`` to end and the best
    of all time: those are all it is given, so that a birth costs the same in a search of a
    hundred candidates and in one of a hundred thousand. TPE and the surrogate model the
    whole history.
    """
    ended = (
        Entity.objects.population().filter(Entity.has_ended(), search=search).exclude(status=Entity.Status.PARENT_ONLY)
    )
    fields = (*told.FIELDS, "finished_at")
    policy = search.policy
    if policy.strategy == "random":
        rows = []
    elif policy.strategy == "genetic" and not search.settings.objectives:
        # Twice the elite, a margin: the pool counts distinct genomes. (With several objectives the
        # best are a Pareto front, not a fitness order: the whole history, as for the models.)
        best = ended.order_by(F("fitness").desc(nulls_last=True), "generation__number", "index").values_list(*fields)[
            : 2 * policy.elite_all_time
        ]
        recent = ended.order_by("-finished_at", "-pk").values_list(*fields)[: search.population]
        rows = sorted({row[0]: row for row in [*best, *recent]}.values(), key=lambda row: (row[-1], row[0]))
    else:
        rows = ended.order_by("finished_at", "pk").values_list(*fields)
    return told.individuals(search, [row[:-1] for row in rows])  # less finished_at, the order


def _breed(search: Search, count: int) -> list[int]:
    """Breed ``count`` children one after the other, each knowing of the ones bred before it."""
    history = _history(search)
    taken = GenomesOfSearch(search)  # each child is stored at once, so the next one knows of it
    pending = []
    if search.policy.strategy == "tpe":  # its constant liar counts the candidates in training
        pending = list(Entity.objects.filter(search=search, status__in=Entity.PENDING).values_list("genome", flat=True))
    births = []
    for _ in range(count):
        birth = search.births
        if birth >= search.population and not history and search.policy.strategy != "random":
            # Nothing has ended yet (cohort 0 is all queued or in training, as when the workers are
            # as many as the population): a later cohort's child would be bred from nobody. It
            # waits for the first result instead of spending a candidate on a blind guess.
            break
        generation, immigrants = _cohort(search, birth // search.population)
        child = propose_birth(
            search.space, search.policy, seed=search.seed, birth=birth, history=history, taken=taken,
            pending=pending, immigrants=immigrants,
        )  # fmt: skip
        if child is None:
            break  # the space has no new genome left
        create_entities(search, generation, [child])
        pending.append(child.genome)
        search.births = birth + 1
        births.append(birth)
    if births:
        search.current_generation = (search.births - 1) // search.population
        Search.objects.filter(pk=search.pk).update(births=search.births, current_generation=search.current_generation)
    return births


def _cohort(search: Search, number: int):
    """Cohort ``number``'s generation row, and its immigrants (stored with it when it is made)."""
    generation, created = Generation.objects.get_or_create(search=search, number=number)
    immigrants = cohort_immigrants(search.space, search.policy, seed=search.seed, number=number)
    if created and immigrants:
        create_entities(search, generation, immigrants)
    return generation, immigrants


def _cohort_ended(search: Search, generation: Generation) -> bool:
    """All of a cohort's births happened, and none of its candidates is pending."""
    born = min(search.births - generation.number * search.population, search.population)
    full = born >= search.population or search.births >= search.birth_budget
    return full and not _pending(search).filter(generation=generation).exists()


def _pending(search: Search):
    return Entity.objects.filter(search=search, status__in=Entity.PENDING)
