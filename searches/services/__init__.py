"""Every write to the search domain, one module per part of the aggregate.

* ``searches``: create, start, fail, cancel, re-run a search;
* ``generations``: end a generation and breed the next (race-safe);
* ``births``: steady-state breeding, a child for each candidate that ends (race-safe);
* ``advance``: whichever of the two a search's mode calls for;
* ``entities``: claim, heartbeat, record a result or a failure (conditional updates);
* ``failures``: a failed candidate, and the search that fails when its candidates keep failing;
* ``recovery``: find lost work again (cut-off entities, silent workers, lost jobs), and keep
  one search's errors to that search;
* ``queueing``: the jobs sent to the workers once the transaction commits;
* ``unable_hosts``: a machine without a search's dataset leaves its work to the others;
* ``objective_offers``: the objectives each machine's workers have.

Callers use the names below (``services.search_create(...)``), keyword-only.
"""

from __future__ import annotations

from searches.services.advance import search_advance
from searches.services.entities import (
    entity_claim,
    entity_heartbeat,
    entity_record_cancelled,
    entity_record_result,
    entity_report_epoch,
    entity_search_ended,
)
from searches.services.extension import search_extend, search_resume
from searches.services.failures import entity_record_failure
from searches.services.final import entity_record_final, search_train_final
from searches.services.objective_offers import objectives_offer
from searches.services.recovery import (
    entities_requeue_orphans,
    entities_requeue_stale,
    entities_resend_lost,
    search_advance_failed,
    searches_advance_idle,
)
from searches.services.searches import (
    InvalidTransition,
    search_cancel,
    search_create,
    search_create_and_start,
    search_fail,
    search_finish,
    search_rerun,
    search_start,
)
from searches.services.unable_hosts import entity_hand_back, entity_pass_on, search_end_if_no_host_can

__all__ = [
    "InvalidTransition",
    "entities_requeue_orphans",
    "entities_requeue_stale",
    "entities_resend_lost",
    "entity_claim",
    "entity_hand_back",
    "entity_heartbeat",
    "entity_pass_on",
    "entity_record_cancelled",
    "entity_record_failure",
    "entity_record_final",
    "entity_record_result",
    "entity_report_epoch",
    "entity_search_ended",
    "objectives_offer",
    "search_advance",
    "search_advance_failed",
    "search_cancel",
    "search_create",
    "search_create_and_start",
    "search_end_if_no_host_can",
    "search_extend",
    "search_fail",
    "search_finish",
    "search_rerun",
    "search_resume",
    "search_start",
    "search_train_final",
    "searches_advance_idle",
]
