"""``/metrics``: the cluster's figures in Prometheus's text format, for whoever runs gaweb on several machines.

Every figure is read from the database at each scrape, so it is the system's, whichever web process
and host answers (no per-process counters to add up): searches and candidates by status, jobs queued,
workers training now per host, candidates' training seconds, claims and results so far, the
advance errors of the running searches, and what each machine's supervisor said after its last
reconciliation pass (its workers alive, its passes and their errors: ``gaweb.runtime.models``).
Counters that are counts of rows (claims, results) drop when a search is deleted, and a host's
restarts when its supervisor restarts; Prometheus's ``rate()`` treats a drop as a reset.

Only an address in ``GAWEB_METRICS_ALLOWED`` (by default this machine's) or a caller with
``Authorization: Bearer <GAWEB_METRICS_TOKEN>`` may read it.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from gaweb.runtime.models import HostSupervisor
from searches.clock import db_now
from searches.models import Entity, Search

# Seconds of training per candidate: a few seconds on digits to hours on a GPU.
TRAINING_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600)
# A supervisor that has not reported for this many reconciliation periods has stopped: its
# workers count as none alive (its own count is from before it stopped).
SILENT_AFTER_PASSES = 3


class DatabaseCollector:
    """Yields the metric families, each from one query."""

    def collect(self):
        searches = GaugeMetricFamily("gaweb_searches", "Searches by status.", labels=["status"])
        counts = dict(Search.objects.values_list("status").annotate(n=Count("id")))
        for status in Search.Status.values:
            searches.add_metric([status], counts.get(status, 0))
        yield searches

        candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
        by_status = GaugeMetricFamily("gaweb_candidates", "Candidates by status.", labels=["status"])
        counts = dict(candidates.values_list("status").annotate(n=Count("id")))
        for status in Entity.Status.values:
            if status != Entity.Status.PARENT_ONLY:
                by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        yield GaugeMetricFamily(
            "gaweb_jobs_queued", "Candidates queued for a worker.", value=counts.get(Entity.Status.QUEUED, 0)
        )

        busy = GaugeMetricFamily("gaweb_workers_busy", "Workers training a candidate now, per host.", labels=["host"])
        per_worker = candidates.filter(status=Entity.Status.RUNNING).values_list("worker", flat=True).distinct()
        # Every host a supervisor reports from, at 0 when none of its workers trains.
        hosts: dict[str, int] = dict.fromkeys(HostSupervisor.objects.values_list("host", flat=True), 0)
        for worker in per_worker:
            host = worker.partition("@")[2] or worker
            hosts[host] = hosts.get(host, 0) + 1
        for host, count in sorted(hosts.items()):
            busy.add_metric([host], count)
        yield busy

        figures = candidates.aggregate(
            claims=Sum("attempts"),
            results=Count("id", filter=Q(status__in=Entity.ENDED, finished_at__isnull=False)),
            trained=Count("id", filter=Q(train_seconds__isnull=False)),
            seconds=Sum("train_seconds"),
            **{f"le{b}": Count("id", filter=Q(train_seconds__lte=b)) for b in TRAINING_BUCKETS},
        )
        yield CounterMetricFamily(
            "gaweb_claims", "Candidates claimed by a worker (every attempt).", figures["claims"] or 0
        )
        yield CounterMetricFamily("gaweb_results", "Candidates ended with a result or a failure.", figures["results"])
        yield HistogramMetricFamily(
            "gaweb_candidate_training_seconds",
            "Seconds each trained candidate spent training.",
            buckets=[(str(b), figures[f"le{b}"]) for b in TRAINING_BUCKETS] + [("+Inf", figures["trained"])],
            sum_value=figures["seconds"] or 0.0,
        )
        yield from self.supervisors()
        errors = Search.objects.filter(status=Search.Status.RUNNING).aggregate(n=Sum("advance_errors"))["n"]
        yield GaugeMetricFamily(
            "gaweb_search_advance_errors",
            "Advances that raised in a row, summed over the running searches.",
            errors or 0,
        )

    def supervisors(self):
        """Each machine's supervisor, as it reported after its last reconciliation pass."""
        now = db_now()
        alive = GaugeMetricFamily(
            "gaweb_workers_alive",
            "Worker processes alive per host, by its supervisor (0 once it has not reported for 3 passes).",
            labels=["host"],
        )
        planned = GaugeMetricFamily("gaweb_workers_planned", "Worker processes each host runs.", labels=["host"])
        silent = GaugeMetricFamily(
            "gaweb_supervisor_last_seen_seconds", "Seconds since each host's supervisor last reported.", labels=["host"]
        )
        restarts = GaugeMetricFamily(
            "gaweb_worker_restarts", "Workers restarted since each host's supervisor started.", labels=["host"]
        )
        passes = CounterMetricFamily("gaweb_reconcile_passes", "Reconciliation passes, per host.", labels=["host"])
        errors = CounterMetricFamily(
            "gaweb_reconcile_errors", "Reconciliation passes that raised, per host.", labels=["host"]
        )
        for row in HostSupervisor.objects.order_by("host"):
            age = max(0.0, (now - row.seen_at).total_seconds())
            silent_after = SILENT_AFTER_PASSES * row.reconcile_seconds  # the host's own period
            alive.add_metric([row.host], row.workers if age <= silent_after else 0)
            planned.add_metric([row.host], row.workers_planned)
            silent.add_metric([row.host], age)
            restarts.add_metric([row.host], row.restarts)
            passes.add_metric([row.host], row.passes)
            errors.add_metric([row.host], row.errors)
        yield from (alive, planned, silent, restarts, passes, errors)


def allowed(request) -> bool:
    token = settings.GAWEB_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.GAWEB_METRICS_ALLOWED)


@login_not_required
@require_GET
def metrics(request):
    if not allowed(request):
        return HttpResponse(
            "metrics: allowed from the addresses in GAWEB_METRICS_ALLOWED, or with Authorization: Bearer "
            "<GAWEB_METRICS_TOKEN>\n",
            status=403,
            content_type="text/plain",
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
