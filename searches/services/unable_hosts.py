"""Writes for a machine that cannot train a search (its dataset is not there): the search's work
goes to the machines that can, and the search fails only when none of the listening ones can.

A worker on such a machine finds out by trying: its objective cannot find the dataset. It hands
the entity back (``entity_hand_back``), untrained, and its machine is noted on the search. From
then on no worker of that machine claims the search's entities: a job of it that reaches one is
sent on to the queue (``entity_pass_on``). ``search_end_if_no_host_can`` fails the search when
every machine with a worker listening is noted (and no other has trained any of it), naming
each with what it found; a job passed on after waiting a while asks that again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from searches.clock import db_now
from searches.models import Entity, UnableHost
from searches.services.entities import plain_error, running_claim
from searches.services.queueing import queue_entities
from searches.services.searches import search_fail

log = logging.getLogger("gaweb.services")


def entity_hand_back(*, entity_id: int, attempt: int, worker: str, reason: str) -> bool:
    """This worker's machine cannot train the entity's search: note the machine on the search and
    queue the entity again, untrained, for the other machines. False if the claim was lost meanwhile.

    The attempt number stays where the claim put it, as every claim's does: it fences the
    writes of this claim from those of the next. The hand-back is counted apart
    (``handbacks``), so that an entity waiting for a machine with its dataset does not use up
    its attempts by waiting. Its ``started_at`` stays too, as after any requeue: it moves the
    dashboard's version, so that the page shows the machine noted.
    """
    host = UnableHost.host_of(worker)
    with transaction.atomic():
        now = db_now()
        entity = Entity.objects.select_related("search").get(pk=entity_id)
        noted = _note(entity.search_id, host=host, worker=worker, reason=plain_error(reason), now=now)
        back = (
            running_claim(entity_id, attempt)
            .filter(worker=worker)
            .update(
                status=Entity.Status.QUEUED,
                worker="",
                gpu="",
                heartbeat_at=None,
                queued_at=now,
                history=[],
                handbacks=F("handbacks") + 1,
            )
        )
        if back:
            queue_entities(entity.search, [entity_id])
    if noted:
        log.warning(
            "%s cannot train search #%s, so it takes none of its candidates: %s; its jobs go to the other machines",
            host, entity.search_id, reason,
        )  # fmt: skip
    return bool(back)


@dataclass(frozen=True)
class PassedOn:
    # The entity has waited longer than ``recheck_after``: ask again whether a machine that can
    # train it still listens (the one that could may have gone since the machine was noted).
    recheck: bool


def entity_pass_on(*, entity_id: int, worker: str, recheck_after: timedelta) -> PassedOn | None:
    """A job reached a worker of a machine that cannot train the entity's search: send it on to the
    queue, for the machines that can. None if the entity is not waiting, or this machine can train it."""
    host = UnableHost.host_of(worker)
    waiting = (
        Entity.objects.filter(pk=entity_id, status=Entity.Status.QUEUED, search__unable_hosts__host=host)
        .select_related("search")
        .first()
    )
    if waiting is None:
        return None
    with transaction.atomic():
        now = db_now()
        # The clock restarts at each recheck, so that each waiting entity asks once per period.
        recheck = bool(
            Entity.objects.filter(pk=entity_id, status=Entity.Status.QUEUED, queued_at__lt=now - recheck_after)
            .update(queued_at=now)
        )  # fmt: skip
        queue_entities(waiting.search, [entity_id])
    return PassedOn(recheck=recheck)


def search_end_if_no_host_can(*, entity_id: int, worker: str, listening: Collection[str] | None) -> bool:
    """Fail the entity's search when no machine can train it; for a final training, fail the
    search's final trainings instead. True if this ended something.

    No machine can when every machine in ``listening`` (those with a worker taking jobs now,
    as ``worker``, the asker, found out) is noted as unable, no other machine has ever taken
    one of the search's candidates (one that has may be restarting), and no other machine has
    been training anything lately: one whose heartbeat is younger than the stale timeout may be
    cut off from the broker for a moment (found by the chaos campaign: a search started while
    the machines with its dataset were cut off failed at once). An answer that cannot be right
    (None: the broker did not say; or one without the asker's own machine) fails nothing: the
    jobs wait for a machine, and the next recheck asks again.
    """
    entity = Entity.objects.select_related("search").get(pk=entity_id)
    unable = dict(UnableHost.objects.filter(search_id=entity.search_id).values_list("host", "reason"))
    if listening is None or UnableHost.host_of(worker) not in listening:
        log.warning("could not ask which machines listen; search #%s waits for one that can train it", entity.search_id)
        return False
    if set(listening) - set(unable):
        return False
    workers = Entity.objects.filter(search_id=entity.search_id).exclude(worker="").values_list("worker", flat=True)
    if {UnableHost.host_of(name) for name in workers.distinct()} - set(unable):
        return False  # a machine that trained some of it is away now: wait for it
    if _training_lately() - set(unable):
        return False  # a machine busy until a moment ago may be back in a moment: wait for it
    tried = "; ".join(f"{host}: {reason}" for host, reason in sorted(unable.items()))
    why = f"no machine can train this search: {tried}"
    if entity.origin != Entity.Origin.FINAL:
        return search_fail(search_id=entity.search_id, reason=why)
    now = db_now()
    return bool(
        Entity.objects.finals()
        .filter(search_id=entity.search_id, status=Entity.Status.QUEUED)
        .update(status=Entity.Status.FAILED, error=why, finished_at=now)
    )


def _training_lately() -> set[str]:
    """The machines with a candidate in training whose heartbeat is not stale yet (any search's)."""
    since = db_now() - timedelta(seconds=settings.GAWEB_STALE_AFTER_SECONDS)
    # An index range on (status, heartbeat_at); ``runsearch --inline`` takes no jobs, so it waits for nothing.
    running = Entity.objects.filter(status=Entity.Status.RUNNING, heartbeat_at__gte=since).exclude(
        worker__startswith="inline@"
    )
    return {UnableHost.host_of(name) for name in running.values_list("worker", flat=True).distinct()}


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
