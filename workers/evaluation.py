"""The path of one candidate through a worker: claim, train, record, advance.

Celery's task and ``runsearch --inline`` both call ``evaluate_entity``, so that the
inline demo exercises the same code as the workers.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from searches import services

from .objectives import CandidateFailed, EvaluationRequest, SearchFatal, get_objective

log = logging.getLogger("gaweb.workers")


class Outcome(StrEnum):
    SKIPPED = "skipped"  # not queued any more (another worker has it, or the search stopped)
    DONE = "done"
    FAILED = "failed"
    SEARCH_FAILED = "search_failed"


def evaluate_entity(entity_id: int, *, worker: str) -> Outcome:
    entity = services.entity_claim(entity_id=entity_id, worker=worker)
    if entity is None:
        return Outcome.SKIPPED
    search = entity.search
    request = EvaluationRequest(entity_id=entity.pk, genome=entity.genome, spec=search.spec)
    outcome = Outcome.DONE
    try:
        result = get_objective(search.objective).evaluate(request)
    except SearchFatal as error:
        services.entity_record_failure(entity_id=entity.pk, reason=str(error))
        services.search_fail(search_id=search.pk, reason=str(error))
        return Outcome.SEARCH_FAILED
    except CandidateFailed as error:
        services.entity_record_failure(entity_id=entity.pk, reason=str(error))
        outcome = Outcome.FAILED
    except Exception as error:  # a candidate must never take its search down with it
        log.exception("entity #%s raised while training", entity.pk)
        services.entity_record_failure(entity_id=entity.pk, reason=f"{type(error).__name__}: {error}")
        outcome = Outcome.FAILED
    else:
        services.entity_record_result(
            entity_id=entity.pk,
            accuracy=result.accuracy,
            parameter_count=result.parameter_count,
            train_seconds=result.train_seconds,
            history=result.history,
        )
    services.search_advance(search_id=search.pk)
    return outcome
