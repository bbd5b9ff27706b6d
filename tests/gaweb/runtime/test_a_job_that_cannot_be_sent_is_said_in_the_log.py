"""A job send that fails after the commit (the broker away) is said in gaweb's log, with what
happens next; Django's own report of it goes nowhere in production."""

from __future__ import annotations

import json

from searches.models import Entity, Search
from tests.processes import free_port, run_command


def test_runsearch_says_that_the_jobs_could_not_be_sent_and_stay_queued(process_env, small_spec, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(small_spec))
    away = {**process_env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "GAWEB_LOG_LEVEL": "WARNING"}
    ran = run_command(away, "runsearch", str(spec), timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "could not send the jobs of 6 queued entities to the broker" in ran.stderr
    assert "the reconciler sends them again" in ran.stderr
    search = Search.objects.get()
    assert Entity.objects.filter(search=search, status=Entity.Status.QUEUED).count() == 6
