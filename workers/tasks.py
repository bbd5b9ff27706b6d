"""Celery tasks: thin. Each takes an id and calls the code that does the work."""

from __future__ import annotations

import logging
import os

from celery import shared_task
from django.conf import settings

from searches.queueing import EVALUATE_TASK

from . import evaluation
from .process_setup import take_up_cut_off_work, worker_name

log = logging.getLogger("gaweb.workers")


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
    report = evaluation.evaluate_entity(entity_id, worker=worker_name() or self.request.hostname or "worker")
    if report.recycle_process:
        # The result is recorded; a fresh process takes the next candidate. The job
        # may be delivered again, and its claim then finds the entity already failed.
        log.warning("entity #%s ran out of memory: replacing this worker process", entity_id)
        os._exit(0)
    return report.outcome.value
