"""Writes for one entity's training: claim it, beat its heartbeat, record how it ended.

Every write is a conditional update whose row count says whether it applied, so
that any number of workers (and any number of deliveries of one job) can call
these at once. A claim's attempt number travels with the worker's later writes:
a worker that lost its claim cannot beat or record over the attempt that took it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from searches.clock import db_now
from searches.models import Checkpoint, Entity, EpochResult, Search, UnableHost
from searches.reads.best import crowned_fitness
from searches.services.brackets import earlier_training, in_brackets, keep_checkpoint, still_running, storable
from searches.spec.search import fitness_from

_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_ERROR_LENGTH = 4000


def entity_claim(*, entity_id: int, worker: str, gpu: str = "") -> Entity | None:
    """Take a queued entity of a running search for training; None if someone else has it.

    The attempt number grows with every claim, so that a worker that lost its claim can
    no longer beat or record over the attempt that took the entity after it.
    """
    # The search's status through a subquery, not a join: with a join Django rewrites the
    # UPDATE as "WHERE id IN (SELECT ...)", and PostgreSQL's re-check after a row lock would
    # then not see that another claim changed the status: two claims could both succeed.
    # Nor is an entity claimed by a machine that found it cannot train its search: that one
    # hands the job on (``entity_pass_on``).
    unable = UnableHost.objects.filter(search_id=OuterRef("search_id"), host=UnableHost.host_of(worker))
    with transaction.atomic():
        now = db_now()
        claimable = Entity.objects.filter(active_search(), ~Exists(unable), pk=entity_id, status=Entity.Status.QUEUED)
        claimed = claimable.update(
            status=Entity.Status.RUNNING,
            worker=worker,
            gpu=gpu,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            history=[],  # a new attempt draws its own learning curve
        )
        if not claimed:
            return None
        # A candidate taken up from a rung of its bracket keeps its curve up to there; any other
        # attempt draws its own.
        kept = Checkpoint.objects.filter(entity_id=entity_id).values_list("epoch", "history").first()
        if kept:
            Entity.objects.filter(pk=entity_id).update(history=kept[1])
        EpochResult.objects.filter(entity_id=entity_id, epoch__gt=kept[0] if kept else 0).delete()
        return Entity.objects.select_related("search").get(pk=entity_id)


def active_search():
    """Entities whose search still trains them: a running search's, or the final trainings of a
    completed one. (The searches' status through subqueries: see ``entity_claim``.)"""
    running = Search.objects.filter(status=Search.Status.RUNNING).values("pk")
    completed = Search.objects.filter(status=Search.Status.COMPLETED).values("pk")
    return Q(search_id__in=running) | Q(origin=Entity.Origin.FINAL, search_id__in=completed)


def entity_heartbeat(*, entity_id: int, attempt: int | None = None) -> bool:
    """The training worker is alive: refresh the entity's heartbeat. False if it is not running."""
    return bool(running_claim(entity_id, attempt).update(heartbeat_at=db_now()))


def entity_search_ended(*, entity_id: int) -> bool:
    """Whether the entity's search has ended (cancelled, say) while the entity trains."""
    return not Search.objects.filter(
        entities__pk=entity_id, status__in=(Search.Status.PENDING, Search.Status.RUNNING)
    ).exists()


def entity_record_cancelled(*, entity_id: int, reason: str, attempt: int | None = None) -> bool:
    """The entity's training was stopped because its search ended (a command's program killed):
    it ends as cancelled, with no result, like the queued entities of that search. False if it
    was not this claim's any more."""
    return bool(
        running_claim(entity_id, attempt).update(status=Entity.Status.CANCELLED, error=reason, finished_at=db_now())
    )


def entity_record_result(
    *,
    entity_id: int,
    accuracy: float,
    parameter_count: int,
    train_seconds: float,
    history: Sequence[Mapping[str, Any]] = (),
    timings: Mapping[str, float] | None = None,
    dataset_info: Mapping[str, Any] | None = None,
    stopped: bool = False,
    attempt: int | None = None,
    weights: bytes | None = None,
) -> bool:
    """Record a trained entity's result (and its cached copies'). False if it is not this claim's.

    ``attempt`` (the claim's attempt number) makes sure that a worker that lost its claim
    (it went silent and the entity was given to another) cannot record over the new one.
    Recording is safe to repeat for the same attempt: a retry after a lost connection,
    when the first try had in fact committed, finds the result there and says True.
    ``dataset_info`` (input shape, class names) is kept on the search, for its downloads.
    ``stopped``: the early-stopping rule stopped it before its last epoch; in a bracket
    (``promotion: bracket``) it then waits at that rung, ``weights`` kept, for its generation.
    A candidate taken up from a rung is recorded with the curve and seconds it had there.
    """
    with transaction.atomic():
        search = Search.objects.only("spec", "dataset_info", "direction").get(entities__pk=entity_id)
        history = list(history)
        if in_brackets(search):  # only a bracket's candidates are taken up from a rung
            earlier, seconds_before = earlier_training(entity_id)
            first = history[0]["epoch"] if history else None
            history = [row for row in earlier if first is None or row["epoch"] < first] + history
            train_seconds += seconds_before
        fitness = fitness_from(
            accuracy=accuracy,
            parameter_count=parameter_count,
            size_penalty=search.settings.size_penalty,
            floor=search.direction != "minimize",
        )
        now = db_now()
        status = Entity.Status.STOPPED if stopped else Entity.Status.DONE
        pauses = stopped and in_brackets(search) and still_running(search.pk) and storable(entity_id, weights)
        recorded = running_claim(entity_id, attempt).update(
            status=Entity.Status.WAITING if pauses else status,
            fitness=fitness,
            accuracy=accuracy,
            parameter_count=parameter_count,
            train_seconds=train_seconds,
            history=history,
            epochs=len(history),
            timings=dict(timings or {}),
            error="",
            finished_at=None if pauses else now,
        )
        if recorded and pauses:
            keep_checkpoint(entity_id, weights=weights or b"", history=history, seconds=train_seconds)
            return True
        if recorded:
            Checkpoint.objects.filter(entity_id=entity_id).delete()
            Entity.objects.filter(cached_from_id=entity_id).update(
                fitness=fitness, accuracy=accuracy, parameter_count=parameter_count, finished_at=now
            )
            if dataset_info and search.dataset_info != dataset_info:
                Search.objects.filter(pk=search.pk).update(dataset_info=dict(dataset_info))
            if status == Entity.Status.DONE:
                _keep_best_fitness(search.pk, entity_id, fitness)
            return True
    return already_recorded(entity_id, attempt, Entity.Status.WAITING if pauses else status)


def _keep_best_fitness(search_id: int, entity_id: int, fitness: float) -> None:
    """Keep ``Search.best_fitness`` the top of ``ranked_best`` as a result is recorded: a candidate's
    first training can only raise it; a confirmation moves its candidate's mean, up or down, so
    the top is read again (once per confirmation, at the end of a search)."""
    origin = Entity.objects.filter(pk=entity_id).values_list("origin", flat=True).first()
    if origin == Entity.Origin.CONFIRMATION:
        search = Search.objects.get(pk=search_id)
        Search.objects.filter(pk=search_id).update(best_fitness=crowned_fitness(search))
    elif origin not in Entity.MEASUREMENTS:
        higher = Q(best_fitness__isnull=True) | Q(best_fitness__lt=fitness)
        Search.objects.filter(higher, pk=search_id).update(best_fitness=fitness)


def entity_report_epoch(*, entity_id: int, epoch: int, metrics: Mapping[str, Any], attempt: int | None = None) -> bool:
    """A training candidate reports an epoch: its learning curve grows live, and the search's
    early-stopping rule says whether it goes on. False: stop now (or the claim was lost).

    ``metrics`` are Keras's logs of that epoch (``val_accuracy`` decides). The decision reads
    counts (and, for the median rule, the one or two middle values) on an index, after the
    write: never every value of the search, and never under SQLite's write lock.
    """
    row = {"epoch": epoch, **{name: round(float(value), 6) for name, value in metrics.items()}}
    with transaction.atomic():
        entity = (
            running_claim(entity_id, attempt).select_related("search").only("history", "origin", "search__spec").first()
        )
        if entity is None:
            return False  # not this claim's any more: nothing it trains can be recorded
        history = [r for r in entity.history if r.get("epoch") != epoch] + [row]
        running_claim(entity_id, attempt).update(history=history, heartbeat_at=db_now())
        value = row.get("val_accuracy")
        if value is None or entity.origin in Entity.MEASUREMENTS:
            # A confirmation stopped for a bad repeat would leave the lucky first training crowned
            # alone, and a stopped baseline would leave no figure to compare with: the rule is the
            # population's, among its own candidates.
            return True
        EpochResult.objects.update_or_create(
            entity_id=entity_id, epoch=epoch, defaults={"search_id": entity.search_id, "val_accuracy": value}
        )
    rule = entity.search.stopping_rule
    if rule is None or not rule.is_rung(epoch):
        return True
    if rule.promotion == "bracket":  # every candidate pauses at a rung; its generation decides together
        return not rule.pauses(epoch, entity.search.settings.training.epochs)
    others = EpochResult.objects.filter(search_id=entity.search_id, epoch=epoch).exclude(entity_id=entity_id)
    count = others.count()
    better = others.filter(val_accuracy__gt=value).count() if not rule.needs_median() else 0
    median = _median(others, count) if rule.needs_median() and count else None
    return rule.decides(epoch=epoch, value=value, others=count, better=better, median=median)


def _median(values, count: int) -> float:
    """The median of ``count`` values, reading the one or two in the middle (an index range)."""
    ordered = values.order_by("val_accuracy").values_list("val_accuracy", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    return sum(middle) / len(middle)


def record_failure(*, entity_id: int, reason: str, attempt: int | None = None) -> bool:
    """Record that a candidate failed (it counts as fitness 0 for breeding). False if it is not this claim's.

    Safe to repeat for the same attempt, like ``entity_record_result``. (``entity_record_failure``
    in ``failures`` is the service: this, then whether the search has failed too often.)
    """
    reason = plain_error(reason)
    with transaction.atomic():
        now = db_now()
        # A failed candidate has no fitness, even one that had a rung's before it was promoted.
        recorded = running_claim(entity_id, attempt).update(
            status=Entity.Status.FAILED, error=reason, finished_at=now, fitness=None, accuracy=None
        )
        if recorded:
            copies_fail_with(entity_id, reason, now)
            Checkpoint.objects.filter(entity_id=entity_id).delete()
            return True
    return already_recorded(entity_id, attempt, Entity.Status.FAILED)


def copies_fail_with(entity_id: int, reason: str, now) -> None:
    """The cached copies of a genome whose training failed end with the same reason."""
    Entity.objects.filter(cached_from_id=entity_id).update(error=failed_copy_error(entity_id, reason), finished_at=now)


def failed_copy_error(original_id: int, reason: str) -> str:
    return f"same genome as entity #{original_id}, which failed: {reason}"


def plain_error(text: str) -> str:
    """An error message fit to show on a page: no terminal colour codes, bounded length."""
    text = _TERMINAL_CODES.sub("", text).strip()
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


def running_claim(entity_id: int, attempt: int | None):
    """The entity, while it runs under this attempt's claim."""
    running = Entity.objects.filter(pk=entity_id, status=Entity.Status.RUNNING)
    return running if attempt is None else running.filter(attempts=attempt)


def already_recorded(entity_id: int, attempt: int | None, status: str) -> bool:
    """Whether this very attempt already ended the entity with ``status`` (a repeated record)."""
    if attempt is None:
        return False
    return Entity.objects.filter(pk=entity_id, status=status, attempts=attempt).exists()
