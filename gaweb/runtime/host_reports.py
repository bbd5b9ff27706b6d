"""Each supervisor's report of itself after a reconciliation pass (``HostSupervisor``), read by ``/metrics``."""

from __future__ import annotations

import logging

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Now

from .models import HostSupervisor

log = logging.getLogger("gaweb.supervisor")

MAX_ERROR_CHARS = 2000


def record_pass(*, host: str, workers: int, planned: int, restarts: int, error: str | None) -> None:
    """Count one pass of ``host``'s supervisor, with its workers alive now; never raises (a report
    that cannot be written, the database being away, is the next pass's to write)."""
    failed = int(error is not None)
    fields = {"workers": workers, "workers_planned": planned, "restarts": restarts, "seen_at": Now()}
    if error is not None:
        fields["last_error"] = error[:MAX_ERROR_CHARS]
    try:
        updated = HostSupervisor.objects.filter(host=host).update(
            passes=F("passes") + 1, errors=F("errors") + failed, **fields
        )
        if not updated:
            try:
                with transaction.atomic():
                    HostSupervisor.objects.create(host=host, passes=1, errors=failed, **fields)
            except IntegrityError:  # made meanwhile (a second supervisor on the host is refused, but still)
                HostSupervisor.objects.filter(host=host).update(
                    passes=F("passes") + 1, errors=F("errors") + failed, **fields
                )
    except DatabaseError as why:
        log.warning("the supervisor's report of %s was not written: %s", host, why)
        connection.close()
