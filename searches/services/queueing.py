"""Hands queued entities to the Celery workers, after the transaction that queued them commits.

Tasks are sent by name, so the search domain needs a Celery app but not the workers package
(which depends on this one, not the other way round), nor gaweb's project package.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence

import redis

# The installation's Celery app, made current when Django loads gaweb: the domain names no module
# of the layers above it (gaweb's project package starts the runtime, which imports this one).
from celery import current_app as app
from django.conf import settings
from django.db import transaction

from searches.models import Search, UnableHost

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

    def send() -> None:
        try:
            send_evaluations(ids)
        except Exception as error:  # said here, in gaweb's log: Django's own report of it is not shown
            log.error(
                "could not send the jobs of %d queued entities to the broker (%s: %s); they stay queued, "
                "and the reconciler sends them again once it answers", len(ids), type(error).__name__, error,
            )  # fmt: skip

    transaction.on_commit(send, robust=True)


def send_evaluations(entity_ids: Sequence[int]) -> None:
    for entity_id in entity_ids:
        app.send_task(EVALUATE_TASK, args=[entity_id])
    log.info("queued %d entities for the workers", len(entity_ids))


# The longest queue read whole to see which jobs it holds (about 1.5 KB a job).
MAX_JOBS_READ = 20_000


def jobs_waiting(*, limit: int = MAX_JOBS_READ) -> set[int] | None:
    """The entity ids of the evaluation jobs waiting in this installation's Redis queue; None when
    Redis does not answer, or when the queue holds more than ``limit`` jobs (it is not read then:
    a queue that long is busy, and its lost jobs are looked for when it is shorter).

    Reads the queue as kombu's Redis transport keeps it: one JSON message per job, whose body is
    the task's arguments in base64-encoded JSON (``[[entity_id], {}, {...}]``).
    """
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=10)
        if client.llen(settings.CELERY_TASK_DEFAULT_QUEUE) > limit:
            log.info("%s holds over %d jobs: lost ones are looked for later", settings.CELERY_TASK_DEFAULT_QUEUE, limit)
            return None
        messages = client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, limit - 1)
    except (redis.RedisError, OSError) as error:
        log.info("could not read the jobs waiting in %s: %s", settings.CELERY_TASK_DEFAULT_QUEUE, error)
        return None
    return {entity_id for entity_id in map(_entity_of_job, messages) if entity_id is not None}


def _entity_of_job(message: bytes) -> int | None:
    try:
        envelope = json.loads(message)
        if envelope["headers"]["task"] != EVALUATE_TASK:
            return None
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        return int(args[0])
    except (ValueError, KeyError, TypeError, IndexError):  # not a message of ours, or of another form
        return None


def workers_listening(*, timeout: float = 1.0) -> int | None:
    """How many workers consume this installation's queue now; None when that cannot be known
    (the broker does not answer). Asks every worker on the broker, and waits ``timeout`` seconds."""
    listeners = _listeners(timeout)
    return None if listeners is None else len(listeners)


def hosts_listening(*, timeout: float = 3.0) -> set[str] | None:
    """The machines (the host part of ``gpu0@host``) with a worker consuming this installation's
    queue now; None when that cannot be known (the broker did not answer, or no worker did in
    time). Waits ``timeout`` seconds for the workers' answers: 3, since a machine whose answer
    comes late is taken for absent, and a search that only it could train would fail (a loaded
    CI run missed one answering after 1 s). Asked only when a machine cannot train a search."""
    listeners = _listeners(timeout)
    # No answer at all means that none came in time, not that no worker listens: the asker does.
    return {UnableHost.host_of(name) for name in listeners} if listeners else None


def _listeners(timeout: float) -> list[str] | None:
    """The node names of the workers that consume this installation's queue; None if the broker does not answer."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            replies = app.control.inspect(timeout=timeout, connection=connection).active_queues() or {}
    except Exception as error:  # the broker away or refusing: the caller falls back
        log.info("could not ask which workers listen on %s: %s", queue, error)
        return None
    return [name for name, queues in replies.items() if any(q.get("name") == queue for q in queues or ())]
