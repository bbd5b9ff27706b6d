"""Writes for a machine that cannot train a search (its dataset is not there): the search's work
goes to the machines that can, and the search fails only when none of the listening ones can.

A worker on such a machine finds out by trying: its objective cannot find the dataset. It hands
the entity back (``entity_hand_back``), untrained, and its machine is noted on the search. From
then on no worker of that machine claims the search's entities: a job of it that reaches one is
sent on to the queue (``entity_pass_on``). ``search_end_if_no_host_can`` fails the search when
every machine with a worker listening is noted, naming each with what it found.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.db import IntegrityError, transaction
from django.db.models import F

from ..clock import db_now
from ..models import Entity, UnableHost
from ..queueing import queue_entities
from .entities import plain_error, running_claim
from .searches import search_fail

log = logging.getLogger("gaweb.services")


def entity_hand_back(*, entity_id: int, attempt: int, worker: str, reason: str) -> bool:
    """This worker's machine cannot train the entity's search: note the machine on the search and
    queue the entity again, untrained, for the other machines. False if the claim was lost meanwhile.

    The claim is undone, its attempt number too: the entity was not trained, and an entity that
    waits for a machine with its dataset must not run out of attempts by waiting.
    """
    host = UnableHost.host_of(worker)
    with transaction.atomic():
        now = db_now()
        entity = Entity.objects.select_related("search").get(pk=entity_id)
        noted = _note(entity.search_id, host=host, worker=worker, reason=plain_error(reason), now=now)
        back = running_claim(entity_id, attempt).update(
            status=Entity.Status.QUEUED, worker="", gpu="", started_at=None, heartbeat_at=None, queued_at=now,
            attempts=F("attempts") - 1, history=[],
        )  # fmt: skip
        if back:
            queue_entities(entity.search, [entity_id])
    if noted:
        log.warning(
            "%s cannot train search #%s, so it takes none of its candidates: %s; its jobs go to the other machines",
            host, entity.search_id, reason,
        )  # fmt: skip
    return bool(back)


def entity_pass_on(*, entity_id: int, worker: str) -> bool:
    """A job reached a worker of a machine that cannot train the entity's search: send it on to the
    queue, for the machines that can. False if the entity is not waiting, or this machine can train it."""
    host = UnableHost.host_of(worker)
    waiting = (
        Entity.objects.filter(pk=entity_id, status=Entity.Status.QUEUED, search__unable_hosts__host=host)
        .select_related("search")
        .first()
    )
    if waiting is None:
        return False
    with transaction.atomic():
        queue_entities(waiting.search, [entity_id])
    return True


def search_end_if_no_host_can(*, entity_id: int, listening: Collection[str] | None) -> bool:
    """Fail the entity's search when no machine in ``listening`` (the machines whose workers take
    jobs now) can train it; for a final training, fail the search's final trainings instead.

    ``listening`` None (the broker did not say) fails nothing: the jobs wait for a machine. True
    if this ended something.
    """
    entity = Entity.objects.select_related("search").get(pk=entity_id)
    unable = dict(UnableHost.objects.filter(search_id=entity.search_id).values_list("host", "reason"))
    if listening is None:
        log.warning("could not ask which machines listen; search #%s waits for one that can train it", entity.search_id)
        return False
    if set(listening) - set(unable):
        return False
    tried = "; ".join(f"{host}: {reason}" for host, reason in sorted(unable.items()))
    why = f"no machine can train this search: {tried}"
    if entity.origin != Entity.Origin.FINAL:
        return search_fail(search_id=entity.search_id, reason=why)
    now = db_now()
    return bool(
        Entity.objects.filter(
            search_id=entity.search_id, origin=Entity.Origin.FINAL, status=Entity.Status.QUEUED
        ).update(status=Entity.Status.FAILED, error=why, finished_at=now)
    )


def _note(search_id: int, *, host: str, worker: str, reason: str, now) -> bool:
    """Note the machine on the search; False if it was already noted."""
    if UnableHost.objects.filter(search_id=search_id, host=host).exists():
        return False
    try:
        with transaction.atomic():  # a savepoint: another worker of the machine may note it at once
            UnableHost.objects.create(search_id=search_id, host=host, worker=worker, reason=reason, found_at=now)
    except IntegrityError:
        return False
    return True
