"""The path of one candidate through a worker: claim, train, record, advance.

Celery's task and ``runsearch --inline`` both call ``evaluate_entity``, so that the
inline demo exercises the same code as the workers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from searches import services
from searches.models import Checkpoint, Entity, UnableHost

from .memory import rss_mb
from .objectives import (
    CandidateCancelled,
    CandidateFailed,
    EvaluationRequest,
    HostCannotTrain,
    SearchFatal,
    get_objective,
)

log = logging.getLogger("gaweb.workers")

# Faults of the world around the worker (the database restarting, a connection dropped): try again.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError)
# How often, and after how long, the steps after training are tried again in place (1 + 2 + 4 + 8 + 16 s).
RECORD_TRIES = 6
RECORD_FIRST_WAIT_SECONDS = 1.0

T = TypeVar("T")


class Outcome(StrEnum):
    SKIPPED = "skipped"  # not queued any more (another worker has it, or the search stopped)
    DONE = "done"
    FAILED = "failed"
    SEARCH_FAILED = "search_failed"
    # This machine cannot train the search (its dataset is not here): the entity went back to the
    # queue, untrained (HANDED_BACK), or its job was sent on without a claim (PASSED_ON).
    HANDED_BACK = "handed_back"
    PASSED_ON = "passed_on"
    # Its search ended while it trained, and the objective stopped (a command's program killed).
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Report:
    outcome: Outcome
    # The process should be replaced before its next candidate (it ran out of memory).
    recycle_process: bool = False


class Heartbeat:
    """While a candidate trains, a thread refreshes its heartbeat, so a silent worker can be told apart."""

    def __init__(self, entity_id: int, attempt: int, *, every: float):
        self.entity_id, self.attempt, self.every = entity_id, attempt, every
        self._stop = threading.Event()
        # Set when a beat finds the claim gone (given to another worker after a silence) ...
        self.lost = threading.Event()
        # ... or the search ended (cancelled) while the candidate trains.
        self.search_ended = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{entity_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if not services.entity_heartbeat(entity_id=self.entity_id, attempt=self.attempt):
                        self.lost.set()
                    elif services.entity_search_ended(entity_id=self.entity_id):
                        self.search_ended.set()
                except DatabaseError as error:  # the next beat may get through
                    log.warning("heartbeat of entity #%s failed: %s", self.entity_id, error)
        finally:
            connection.close()  # this thread's own database connection


def evaluate_entity(
    entity_id: int, *, worker: str, listening: Callable[[], Collection[str] | None] | None = None
) -> Report:
    """Claim, train and record one entity. ``listening`` says which machines have a worker taking
    jobs now (Celery's workers ask the broker); by default, this worker's machine alone."""
    if listening is None:
        listening = lambda: {UnableHost.host_of(worker)}  # noqa: E731
    entity = services.entity_claim(entity_id=entity_id, worker=worker, gpu=os.environ.get("GAWEB_GPU", ""))
    if entity is None:
        passed = services.entity_pass_on(
            entity_id=entity_id, worker=worker, recheck_after=timedelta(seconds=settings.GAWEB_RESEND_AFTER_SECONDS)
        )
        if passed is None:
            return Report(Outcome.SKIPPED)
        log.info("entity #%s: this machine cannot train its search; its job is sent on", entity_id)
        if passed.recheck:
            machines = listening()
            _retrying(
                lambda: services.search_end_if_no_host_can(entity_id=entity_id, worker=worker, listening=machines)
            )
        return Report(Outcome.PASSED_ON)
    search = entity.search
    attempt = entity.attempts

    def on_epoch(epoch: int, metrics) -> bool:
        # The learning curve grows live, and the search's early-stopping rule has its say. A
        # failed write costs the live curve one point, never the training.
        try:
            return services.entity_report_epoch(entity_id=entity.pk, epoch=epoch, metrics=metrics, attempt=attempt)
        except DatabaseError as error:
            log.warning("entity #%s could not report epoch %s: %s", entity.pk, epoch, error)
            return not pauses(epoch)  # in a bracket, a rung is a pause whether or not it was heard

    rule, epochs = search.stopping_rule, search.settings.training.epochs
    in_bracket = rule is not None and rule.promotion == "bracket" and entity.origin not in Entity.MEASUREMENTS

    def pauses(epoch: int) -> bool:
        return in_bracket and rule.pauses(epoch, epochs)

    replicate = 1 if entity.origin == Entity.Origin.CONFIRMATION else 0
    heartbeat = Heartbeat(entity.pk, attempt, every=settings.GAWEB_HEARTBEAT_SECONDS)
    # A candidate promoted from a rung of its bracket goes on from the weights it paused with.
    kept = Checkpoint.objects.filter(entity_id=entity.pk).values_list("epoch", "data").first() if in_bracket else None
    if kept:
        log.info("entity #%s goes on from its rung at epoch %s", entity.pk, kept[0])
    request = EvaluationRequest(
        entity_id=entity.pk, genome=entity.genome, spec=search.spec, on_epoch=on_epoch, replicate=replicate,
        cut_off=heartbeat.lost.is_set, search_ended=heartbeat.search_ended.is_set,
        resume_epoch=kept[0] if kept else 0, resume_weights=bytes(kept[1]) if kept else None,
        keep_weights=in_bracket,
    )  # fmt: skip
    report = Report(Outcome.DONE)

    def fail(reason: str) -> None:
        _retrying(lambda: services.entity_record_failure(entity_id=entity.pk, reason=reason, attempt=attempt))

    final = entity.origin == Entity.Origin.FINAL
    try:
        with heartbeat:
            objective = get_objective(search.objective)
            result = objective.train_final(request) if final else objective.evaluate(request)
    except HostCannotTrain as error:
        reason = str(error)
        _retrying(lambda: services.entity_hand_back(entity_id=entity.pk, attempt=attempt, worker=worker, reason=reason))
        machines = listening()
        _retrying(lambda: services.search_end_if_no_host_can(entity_id=entity.pk, worker=worker, listening=machines))
        return Report(Outcome.HANDED_BACK)
    except CandidateCancelled as error:
        reason = str(error)
        _retrying(lambda: services.entity_record_cancelled(entity_id=entity.pk, reason=reason, attempt=attempt))
        return Report(Outcome.CANCELLED)
    except SearchFatal as error:
        reason = str(error)
        fail(reason)
        _retrying(lambda: services.search_fail(search_id=search.pk, reason=reason))
        return Report(Outcome.SEARCH_FAILED)
    except CandidateFailed as error:
        fail(str(error))
        report = Report(Outcome.FAILED, recycle_process=error.recycle_process)
    except SoftTimeLimitExceeded:
        fail(f"took longer than the limit of {settings.GAWEB_MAX_TRAINING_SECONDS} s (GAWEB_MAX_TRAINING_SECONDS)")
        report = Report(Outcome.FAILED)
    except Exception as error:  # a candidate must never take its search down with it
        log.exception("entity #%s raised while training", entity.pk)
        fail(f"{type(error).__name__}: {error}")
        report = Report(Outcome.FAILED)
    else:
        # What the training left this process holding: every candidate's figure, for the memory
        # soak (bench/memory_soak.py) and for whoever wonders why a worker was replaced.
        result.timings.update(rss_mb=round(rss_mb(), 1), pid=os.getpid())
        if not _retrying(lambda: _record(entity.pk, result, attempt, final=final)):
            # Cut off too long (silent past the stale timeout): the entity was given to another
            # worker, and this late result of the old attempt is refused.
            log.warning("entity #%s: attempt %s no longer holds its claim; result refused", entity.pk, attempt)
    try:
        _retrying(lambda: services.search_advance(search_id=search.pk))
    except TRANSIENT:
        raise
    except Exception as error:  # breeding's error, not this candidate's: the result stays recorded
        services.search_advance_failed(search_id=search.pk, error=error)
    return report


def _record(entity_id: int, result, attempt: int, *, final: bool) -> bool:
    if final:
        return services.entity_record_final(
            entity_id=entity_id, test_accuracy=result.test_accuracy, test_loss=result.test_loss,
            validation_accuracy=result.validation_accuracy, model_filename=result.model_filename,
            parameter_count=result.parameter_count, train_seconds=result.train_seconds, model=result.model,
            history=result.history, timings=result.timings, attempt=attempt,
        )  # fmt: skip
    return services.entity_record_result(
        entity_id=entity_id,
        accuracy=result.accuracy,
        parameter_count=result.parameter_count,
        train_seconds=result.train_seconds,
        history=result.history,
        timings=result.timings,
        dataset_info=result.dataset_info,
        stopped=result.stopped,
        attempt=attempt,
        weights=result.weights,
    )


def _retrying(step: Callable[[], T]) -> T:
    """Run a step that follows training, trying it again in place after a transient fault.

    The trained result is in this process only: a retry of the whole task could not claim
    the entity again (it is running under this claim) and the result would be lost. Every
    step here is safe to repeat: recording is idempotent for the same claim's attempt, and
    advancing a search is idempotent.
    """
    wait = RECORD_FIRST_WAIT_SECONDS
    for tries in range(1, RECORD_TRIES + 1):
        try:
            return step()
        except TRANSIENT as error:
            if tries == RECORD_TRIES:
                raise
            log.warning("a step after training failed (%s); trying again in %.0f s", error, wait)
            connection.close_if_unusable_or_obsolete()  # a broken connection is opened afresh by the next query
            time.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")
