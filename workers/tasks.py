"""Celery tasks: thin. Each takes an id and calls the code that does the work."""

from __future__ import annotations

import logging
import os
import time

from celery import shared_task
from django.conf import settings

from searches.services.queueing import EVALUATE_TASK, hosts_listening

from . import evaluation
from .memory import MemoryWatch, rss_mb
from .process_setup import take_up_cut_off_work, worker_name

log = logging.getLogger("gaweb.workers")

# After sending on a job its machine cannot train, a worker waits this long before its next job,
# so that an idle worker of a machine without a search's dataset does not spin through its jobs.
PASS_ON_PAUSE_SECONDS = 1.0
# This training process's memory (each forked process has its own copy, counting from 0).
MEMORY = MemoryWatch(settings.GAWEB_WORKER_MEMORY_GROWTH)


@shared_task(
    name=EVALUATE_TASK,
    bind=True,
    autoretry_for=evaluation.TRANSIENT,
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=60,
    soft_time_limit=settings.GAWEB_MAX_TRAINING_SECONDS,
    time_limit=settings.GAWEB_MAX_TRAINING_SECONDS + 120,
)
def evaluate_entity(self, entity_id: int) -> str:
    # A job delivered again to this worker after its training process was killed finds its
    # entity still "running" under this worker's name: take it up before claiming.
    take_up_cut_off_work()
    report = evaluation.evaluate_entity(
        entity_id, worker=worker_name() or self.request.hostname or "worker", listening=hosts_listening
    )
    if report.outcome in (evaluation.Outcome.PASSED_ON, evaluation.Outcome.HANDED_BACK):
        time.sleep(PASS_ON_PAUSE_SECONDS)
    if report.recycle_process:
        # The result is recorded; a fresh process takes the next candidate. The job
        # may be delivered again, and its claim then finds the entity already failed.
        log.warning("entity #%s ran out of memory: replacing this worker process", entity_id)
        os._exit(0)
    if report.outcome == evaluation.Outcome.DONE:  # trained (a failed build or a NaN says little of memory)
        now = rss_mb()
        if MEMORY.grown_after_candidate(now):
            # The same path as above: the result is recorded, a fresh process takes the next candidate.
            log.warning(
                "this worker process holds %.0f MB, %.0f%% more than the %.0f MB it held once warm "
                "(GAWEB_WORKER_MEMORY_GROWTH): replacing it", now, 100 * (now / MEMORY.baseline - 1), MEMORY.baseline,
            )  # fmt: skip
            os._exit(0)
    return report.outcome.value
