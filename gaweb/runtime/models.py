"""What each machine's worker supervisor last said of itself, for ``/metrics`` and whoever runs the cluster."""

from __future__ import annotations

from django.db import models


class HostSupervisor(models.Model):
    """One row per machine whose supervisor (``runworkers``, ``up``) has run, written after each of
    its reconciliation passes (every ``GAWEB_RECONCILE_SECONDS``): how many worker processes were
    alive, and how its passes went. A machine whose row stops moving has stopped supervising."""

    host = models.CharField(max_length=200, unique=True)  # the part of its workers' names after the "@"
    workers = models.PositiveIntegerField(default=0)  # worker processes alive at its last pass
    workers_planned = models.PositiveIntegerField(default=0)
    restarts = models.PositiveIntegerField(default=0)  # workers restarted since the supervisor started
    passes = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveBigIntegerField(default=0)  # passes that raised (the database or Redis away...)
    last_error = models.TextField(blank=True)
    # Its GAWEB_RECONCILE_SECONDS: a host that has not reported for 3 of its own periods is silent.
    reconcile_seconds = models.PositiveIntegerField(default=30)
    seen_at = models.DateTimeField()  # the database's clock, as every time gaweb keeps

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return f"{self.host}: {self.workers}/{self.workers_planned} workers alive, {self.passes} passes"
