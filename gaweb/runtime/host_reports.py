"""Each supervisor's report of itself after a reconciliation pass (``HostSupervisor``), read by ``/metrics``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Now

from .models import HostSupervisor

log = logging.getLogger("gaweb.supervisor")

MAX_ERROR_CHARS = 2000


def record_pass(
    *,
    host: str,
    workers: int,
    planned: int,
    restarts: int,
    error: str | None,
    passes: int = 1,
    errors: int | None = None,
) -> bool:
    """Count ``passes`` passes of ``host``'s supervisor (``errors`` of them failed: by default the
    one, if ``error``), with its workers alive now. Never raises: False when the report could not
    be written (the database away), for the next pass to add to its own."""
    failed = int(error is not None) if errors is None else errors
    fields = {
        "workers": workers, "workers_planned": planned, "restarts": restarts, "seen_at": Now(),
        "reconcile_seconds": settings.GAWEB_RECONCILE_SECONDS,
    }  # fmt: skip
    if error is not None:
        fields["last_error"] = error[:MAX_ERROR_CHARS]
    try:
        updated = HostSupervisor.objects.filter(host=host).update(
            passes=F("passes") + passes, errors=F("errors") + failed, **fields
        )
        if not updated:
            try:
                with transaction.atomic():
                    HostSupervisor.objects.create(host=host, passes=passes, errors=failed, **fields)
            except IntegrityError:  # made meanwhile (a second supervisor on the host is refused, but still)
                HostSupervisor.objects.filter(host=host).update(
                    passes=F("passes") + passes, errors=F("errors") + failed, **fields
                )
    except DatabaseError as why:
        log.warning("the supervisor's report of %s was not written: %s", host, why)
        connection.close()
        return False
    return True
