"""Hands queued entities to the Celery workers, after the transaction that queued them commits.

Tasks are sent by name, so the search domain needs the Celery app but not the
workers package (which depends on this one, not the other way round).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from gaweb.celery import app

from .models import Search

EVALUATE_TASK = "workers.evaluate_entity"

log = logging.getLogger("gaweb.queueing")


def queue_entities(search: Search, entity_ids: Sequence[int]) -> None:
    """Send one evaluation job per entity once the current transaction commits.

    Inline searches (``runsearch --inline``) are evaluated by their own process,
    which takes queued entities straight from the database: nothing is sent.
    """
    if search.execution != Search.Execution.WORKERS or not entity_ids:
        return
    # robust: a broker outage must not undo or hide the committed state; the
    # entities stay queued in the database and can be sent again.
    ids = list(entity_ids)

    def send() -> None:  # a named function: Django's robust on_commit logs failures by __qualname__
        send_evaluations(ids)

    transaction.on_commit(send, robust=True)


def send_evaluations(entity_ids: Sequence[int]) -> None:
    for entity_id in entity_ids:
        app.send_task(EVALUATE_TASK, args=[entity_id])
    log.info("queued %d entities for the workers", len(entity_ids))
