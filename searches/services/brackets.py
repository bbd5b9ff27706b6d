"""Successive halving by brackets (``promotion: bracket``): a generation is one bracket.

Every candidate pauses at each rung (``StoppingRule.pauses``): its worker stores its weights and
learning curve so far (``Checkpoint``) and it waits (``Entity.Status.WAITING``). Once none of the
generation's candidates is queued or training, all that are left have reached the same rung, and
exactly the best ``ceil(n / reduction)`` of the ``n`` waiting there are queued again, to go on from
their weights on whichever machine takes them; the others end as stopped, with their fitness at
that rung. No rung is waited for past the last epoch: that one is not a rung.

Promotion happens in ``generations_advance``, under the search's row lock, so however many workers
pause the last candidates of a rung at once, the rung is promoted exactly once: the conditional
updates below (``status=WAITING``) are the last guard.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import F

from searches.clock import db_now
from searches.models import Checkpoint, Entity, Generation, Search
from searches.services.queueing import queue_entities

log = logging.getLogger("gaweb.services")

BUSY = (Entity.Status.QUEUED, Entity.Status.RUNNING)


def in_brackets(search: Search) -> bool:
    rule = search.stopping_rule
    return rule is not None and rule.promotion == "bracket"


def bracket_promote(search: Search, generation: Generation) -> list[int]:
    """Promote the generation's lowest rung once every candidate has reached it (or ended); the ids
    queued again. Call it under the search's row lock; it does nothing while any candidate trains.

    Those waiting are all at one rung but where a report was lost (a candidate then pauses at the
    next): only the lowest rung is judged; the others wait for those promoted from it to join them.
    """
    candidates = generation.entities.population()
    if not in_brackets(search) or candidates.filter(status__in=BUSY).exists():
        return []
    let_go_of_ended(search)
    waiting = candidates.filter(status=Entity.Status.WAITING)
    rung = waiting.order_by("epochs").values_list("epochs", flat=True).first()
    if rung is None:
        return []
    at_rung = waiting.filter(epochs=rung).order_by(F("fitness").desc(nulls_last=True), "pk")
    ranked = list(at_rung.values_list("pk", flat=True))
    promoted = ranked[: search.stopping_rule.promoted(len(ranked))]
    now = db_now()
    Entity.objects.filter(pk__in=promoted, status=Entity.Status.WAITING).update(
        status=Entity.Status.QUEUED, queued_at=now, heartbeat_at=None, promotions=F("promotions") + 1
    )
    stop_waiting(Entity.objects.filter(pk__in=ranked[len(promoted) :]), now)
    queue_entities(search, promoted)
    number = generation.number + 1
    log.info(
        "search #%s generation %s: %d of %d at the rung of epoch %s go on", search.pk, number, len(promoted),
        len(ranked), rung,
    )  # fmt: skip
    return promoted


def stop_waiting(entities, now) -> None:
    """Those waiting at a rung end there, stopped, with the fitness they had; their weights are let go."""
    ids = list(entities.filter(status=Entity.Status.WAITING).values_list("pk", flat=True))
    Entity.objects.filter(pk__in=ids, status=Entity.Status.WAITING).update(
        status=Entity.Status.STOPPED, finished_at=now
    )
    Checkpoint.objects.filter(entity_id__in=ids, entity__status=Entity.Status.STOPPED).delete()


def end_brackets(search_id: int, now) -> None:
    """A search finished early or failed: what waits at a rung, or was promoted from one and not taken
    up yet, ends there, stopped, with its fitness at that rung. (A cancel keeps them: a resume goes on.)"""
    promoted = Entity.objects.filter(search_id=search_id, status=Entity.Status.QUEUED, promotions__gt=0)
    promoted.update(status=Entity.Status.WAITING)
    stop_waiting(Entity.objects.filter(search_id=search_id), now)


def let_go_of_ended(search: Search) -> None:
    """Drop the weights of candidates that ended since they paused (failed, stopped by a recovery):
    every path that ends one need not know of checkpoints."""
    ended = (Entity.Status.DONE, Entity.Status.FAILED, Entity.Status.STOPPED, Entity.Status.CACHED)
    Checkpoint.objects.filter(entity__search=search, entity__status__in=ended).delete()


def still_running(search_id: int) -> bool:
    """Whether a candidate may pause in its search's bracket: only while the search runs. The row is
    locked (as by a cancel or a finish), so that none pauses after an end has stopped those waiting."""
    return Search.objects.select_for_update().filter(pk=search_id, status=Search.Status.RUNNING).exists()


def storable(entity_id: int, weights: bytes | None) -> bool:
    """Whether a paused candidate's weights may be kept (``GAWEB_MAX_MODEL_MB``, as for final models);
    one over the bound cannot wait for its rung's promotion: it ends there, stopped."""
    if weights is None or len(weights) <= settings.GAWEB_MAX_MODEL_MB * 1024 * 1024:
        return True
    log.warning(
        "entity #%s: its network, %s bytes, is over GAWEB_MAX_MODEL_MB: it stops at its rung",
        entity_id,
        f"{len(weights):,}",
    )
    return False


def keep_checkpoint(entity_id: int, *, weights: bytes, history: Sequence[Mapping[str, Any]], seconds: float) -> None:
    """Keep a paused candidate's weights and its learning curve and training time so far."""
    Checkpoint.objects.update_or_create(
        entity_id=entity_id,
        defaults={"epoch": len(history), "data": weights, "history": list(history), "train_seconds": seconds},
    )


def earlier_training(entity_id: int) -> tuple[list[dict[str, Any]], float]:
    """What a candidate taken up from a rung trained before it: its curve, and its seconds."""
    kept = Checkpoint.objects.filter(entity_id=entity_id).values_list("history", "train_seconds").first()
    return (list(kept[0]), kept[1]) if kept else ([], 0.0)
