"""Keeps every entity accounted for when workers or Redis fail (run by the worker supervisors).

Workers report a heartbeat while they train. Every ``GAWEB_RECONCILE_SECONDS`` the
supervisor of each machine (``runworkers``, ``up``):

* queues again the running entities whose worker has gone silent (failing those
  that have used up ``GAWEB_MAX_ATTEMPTS``);
* advances every running search (one whose advance failed after its last result would wait);
  a search whose advance keeps raising fails with the error, and the others go on;
* sends again the jobs of entities that have waited in the queue too long and whose job the
  broker's queue does not hold: their jobs were lost with Redis;
* keeps in the database the dashboard's board of each running search, about once a minute, and
  of each search that ended, once (``keep_boards``): any web process's first look reads it.

Everything here is idempotent, so several machines may reconcile at once.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from searches import services
from searches.live.cache import keep_boards
from searches.services.queueing import jobs_waiting

log = logging.getLogger("gaweb.reconcile")


def reconcile() -> dict[str, Any]:
    """One pass; failures of the database or Redis are logged and left for the next pass (and
    said in ``done["error"]``, for the supervisor's report)."""
    done: dict[str, Any] = {"requeued_or_failed": 0, "resent": 0, "boards_kept": 0, "error": None}
    try:
        done["requeued_or_failed"] = services.entities_requeue_stale(
            stale_after=timedelta(seconds=settings.GAWEB_STALE_AFTER_SECONDS),
            max_attempts=settings.GAWEB_MAX_ATTEMPTS,
        )
        services.searches_advance_idle()
        done["resent"] = services.entities_resend_lost(
            waiting_longer_than=timedelta(seconds=settings.GAWEB_RESEND_AFTER_SECONDS), in_broker=jobs_waiting
        )
        done["boards_kept"] = keep_boards()
    except DatabaseError as error:
        log.warning("reconciliation skipped: the database is unavailable (%s)", error)
        done["error"] = f"the database is unavailable ({error})"
        # A long-lived loop, not a request: nothing else closes a connection the database cut
        # (a restart, a failover). Closed here, the next pass opens a fresh one.
        connection.close()
    except Exception:
        # Each search's own errors are caught (and counted on it) by the services; this is the
        # last guard of a loop that keeps every machine's workers alive: log, try again next pass.
        log.exception("reconciliation pass failed; the next pass tries again")
        done["error"] = traceback.format_exc(limit=-1).strip().splitlines()[-1]
    return done


class Periodic:
    """Calls ``action`` at most once every ``seconds``, from a loop that ticks more often."""

    def __init__(self, seconds: float, action):
        self.seconds, self.action = seconds, action
        self._next = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self.seconds
            self.action()
