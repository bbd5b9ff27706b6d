"""``/metrics`` per host: the workers its supervisor keeps alive, its reconciliation passes and their
errors. First with a real ``runworkers`` and a small search its worker trains (every figure equal to
the database's), then the rules: a silent host counts no workers, a pass that raised is counted."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gaweb.runtime.host_reports import record_pass
from gaweb.runtime.models import HostSupervisor
from searches.models import Entity, Search
from tests.processes import run_command, wait_until

from .test_metrics_are_the_database_s_figures import _samples


def _scrape() -> dict:
    return _samples(Client(REMOTE_ADDR="127.0.0.1").get("/metrics"))


def test_a_real_supervisor_and_its_worker_are_counted_after_a_search(supervised, process_env, tmp_path, small_spec):
    supervised.start(cpu_workers=1)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**small_spec, "ga": {**small_spec["ga"], "generations": 2}}))
    assert run_command(process_env, "runsearch", str(path), timeout=60).returncode == 0
    search = Search.objects.get()
    assert wait_until(lambda: Search.objects.get(pk=search.pk).status == Search.Status.COMPLETED, timeout=120), (
        supervised.logs()
    )
    passes = HostSupervisor.objects.get().passes
    assert wait_until(lambda: HostSupervisor.objects.get().passes > passes, timeout=30)  # a pass after the end

    row = HostSupervisor.objects.get()
    host = (("host", row.host),)
    samples = _scrape()
    worker = Entity.objects.filter(search=search).exclude(worker="").values_list("worker", flat=True).first()
    assert worker.endswith("@" + row.host)  # the host its workers' results name
    assert samples[("gaweb_workers_alive", host)] == 1 == samples[("gaweb_workers_planned", host)]
    assert samples[("gaweb_reconcile_passes_total", host)] >= row.passes > passes
    assert samples[("gaweb_reconcile_errors_total", host)] == 0
    assert samples[("gaweb_supervisor_last_seen_seconds", host)] < 10
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    assert samples[("gaweb_candidates", (("status", "done"),))] == candidates.filter(status="done").count() > 0
    assert samples[("gaweb_results_total", ())] == candidates.filter(status__in=Entity.ENDED).count()


@pytest.mark.django_db
def test_each_pass_is_counted_and_one_that_raised_is_an_error_with_its_reason():
    record_pass(host="node-1", workers=2, planned=2, restarts=0, error=None)
    record_pass(host="node-1", workers=1, planned=2, restarts=1, error="the database is unavailable (timeout)")
    record_pass(host="node-2", workers=4, planned=4, restarts=0, error=None)
    samples = _scrape()
    assert samples[("gaweb_reconcile_passes_total", (("host", "node-1"),))] == 2
    assert samples[("gaweb_reconcile_errors_total", (("host", "node-1"),))] == 1
    assert samples[("gaweb_workers_alive", (("host", "node-1"),))] == 1
    assert samples[("gaweb_worker_restarts", (("host", "node-1"),))] == 1
    assert samples[("gaweb_workers_alive", (("host", "node-2"),))] == 4
    assert HostSupervisor.objects.get(host="node-1").last_error == "the database is unavailable (timeout)"


@pytest.mark.django_db
def test_a_host_whose_supervisor_fell_silent_counts_no_workers_alive(settings):
    settings.GAWEB_RECONCILE_SECONDS = 30
    record_pass(host="gone", workers=3, planned=3, restarts=0, error=None)
    HostSupervisor.objects.filter(host="gone").update(seen_at=timezone.now() - timedelta(minutes=5))
    samples = _scrape()
    assert samples[("gaweb_workers_alive", (("host", "gone"),))] == 0
    assert samples[("gaweb_workers_planned", (("host", "gone"),))] == 3
    assert samples[("gaweb_supervisor_last_seen_seconds", (("host", "gone"),))] >= 299


@pytest.mark.django_db
def test_a_pass_that_raised_says_why_for_the_report(monkeypatch):
    from gaweb.runtime import reconcile as module

    def broken(**_kwargs):
        raise RuntimeError("the broker answered nonsense")

    monkeypatch.setattr(module.services, "entities_requeue_stale", broken)
    assert module.reconcile()["error"] == "RuntimeError: the broker answered nonsense"


@pytest.mark.django_db
def test_passes_made_while_the_database_was_away_are_counted_when_it_is_back(monkeypatch):
    from gaweb.runtime import watch as module

    class Supervisor:
        host, alive, planned, restarts = "node-9", 1, 1, 0

    outcomes = iter([{"error": "the database is unavailable (refused)"}] * 2 + [{"error": None}])
    monkeypatch.setattr(module, "reconcile", lambda: next(outcomes))
    real = module.record_pass
    away = {"on": True}

    def recording(**kwargs):
        return False if away["on"] else real(**kwargs)  # away: record_pass could not write its report

    monkeypatch.setattr(module, "record_pass", recording)
    watching = module.Watch(Supervisor())
    watching.reconcile_and_report()
    watching.reconcile_and_report()
    away["on"] = False
    watching.reconcile_and_report()
    row = HostSupervisor.objects.get(host="node-9")
    assert (row.passes, row.errors) == (3, 2)
