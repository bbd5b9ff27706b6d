"""Time, as the database tells it: every machine's writes and timeouts agree on one clock.

A worker's own clock may be minutes off. Heartbeats, claims, ends and the stale timeout
that compares them are all read from the database server's clock instead, so that a host
whose clock is wrong neither looks silent nor takes others for silent. On SQLite, which
serves one machine only, that machine's clock is the database's.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone


def db_now() -> datetime:
    """The database server's current time (aware, UTC on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()
