"""Run a whole search in this process, with no broker and no worker (``runsearch --inline``)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from searches import services
from searches.models import Entity, Generation, Search
from searches.reads import selectors

from .evaluation import evaluate_entity
from .objectives import HostCannotTrain, get_objective


class SearchStalled(RuntimeError):
    """Entities of the search are running somewhere else, so this process cannot finish it."""


def run_inline(
    search_id: int,
    *,
    on_generation: Callable[[Generation], None] | None = None,
    minutes: float | None = None,
    on_entity: Callable[[int], None] | None = None,
    spent: Callable[[], str | None] | None = None,
) -> Search:
    """Evaluate the search's queued entities one by one until the search ends.

    ``on_generation`` is called with each generation as it ends, ``on_entity`` with each
    entity's id once it is evaluated. With ``minutes``, no training starts after that many
    minutes: the search is then finished early, as completed, with what it found. ``spent``,
    asked before each training, does the same for another budget: it returns the note to
    finish with once that budget is spent (a benchmark's epochs, say), else None.
    """
    deadline = None if minutes is None else time.monotonic() + 60 * minutes
    worker = f"inline@{socket.gethostname()}"
    search = Search.objects.get(pk=search_id)
    if search.status == Search.Status.PENDING:
        services.search_start(search_id=search_id)
    reported: set[int] = set()
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            services.search_finish(search_id=search_id, note=f"its time budget of {minutes:g} minutes was spent")
            search.refresh_from_db()
            return search
        if spent is not None and (note := spent()):
            services.search_finish(search_id=search_id, note=note)
            search.refresh_from_db()
            return search
        entity_id = selectors.next_queued_entity_id(search_id)
        if entity_id is not None:
            evaluate_entity(entity_id, worker=worker)
            if on_entity:
                on_entity(entity_id)
        else:
            bred = services.search_advance(search_id=search_id)
            if not bred and selectors.next_queued_entity_id(search_id) is None:
                search.refresh_from_db()
                if search.status == Search.Status.RUNNING:
                    raise SearchStalled(f"search #{search_id} has entities running in another process")
        for generation in selectors.ended_generations(search_id, exclude=reported):
            reported.add(generation.number)
            if on_generation:
                on_generation(generation)
        search.refresh_from_db()
        if search.status != Search.Status.RUNNING:
            return search


def run_final_inline(search_id: int) -> list[Entity]:
    """Queue a completed search's final training and run it in this process; returns its entities.

    Raises ``InvalidTransition``, queuing nothing, when this process does not have the search's
    objective: a final training queued here would be handed back by the only machine listening.
    """
    worker = f"inline@{socket.gethostname()}"
    objective = Search.objects.values_list("objective", flat=True).get(pk=search_id)
    try:
        get_objective(objective)
    except HostCannotTrain as error:
        raise services.InvalidTransition(
            f"{error}; register it for this command too (GAWEB_OBJECTIVES or GAWEB_OBJECTIVES_FILE, as for the workers)"
        ) from None
    ids = services.search_train_final(search_id=search_id, on_workers=False)
    for entity_id in ids:
        evaluate_entity(entity_id, worker=worker)
    return list(Entity.objects.filter(pk__in=ids).order_by("index"))
