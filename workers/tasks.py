"""Celery tasks: thin. Each takes an id and calls the code that does the work."""

from __future__ import annotations

from celery import shared_task

from searches.queueing import EVALUATE_TASK

from . import evaluation


@shared_task(name=EVALUATE_TASK, bind=True)
def evaluate_entity(self, entity_id: int) -> str:
    return evaluation.evaluate_entity(entity_id, worker=self.request.hostname or "worker").value
