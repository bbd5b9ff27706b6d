"""The issue's trigger with real processes: a steady-state genetic search with ``immigrants: 0`` and a
population no larger than the workers + 1 once stopped ``runworkers`` (and every other host's) at its
first reconciliation. Beside it, a search whose advance always raises: it fails with its error, and
the supervisor, its worker and the other search go on."""

from __future__ import annotations

import json

from searches import services
from searches.models import Search
from tests.processes import run_command, wait_until
from tests.searches.helpers import finish_queued

TRAITS = [{"name": "x", "type": "float", "low": 0, "high": 1}, {"name": "y", "type": "float", "low": 0, "high": 1}]


def _submit(process_env, tmp_path, spec) -> Search:
    path = tmp_path / f"{spec['name']}.json"
    path.write_text(json.dumps(spec))
    queued = run_command(process_env, "runsearch", str(path), timeout=60)
    assert queued.returncode == 0, queued.stderr
    return Search.objects.get(name=spec["name"])


def test_runworkers_outlives_a_search_with_no_immigrants_and_one_whose_breeding_raises(
    supervised, process_env, tmp_path
):
    # A running search with a generation to breed, whose stored spec no longer parses: every advance raises.
    broken = services.search_create(spec={
        "name": "broken", "objective": "synthetic", "seed": 4, "traits": TRAITS,
        "ga": {"population": 2, "generations": 3, "elite_previous": 1, "elite_all_time": 1},
    }, execution=Search.Execution.INLINE)  # fmt: skip
    services.search_start(search_id=broken.pk)
    finish_queued(broken.pk, lambda genome: genome["x"])
    Search.objects.filter(pk=broken.pk).update(spec={**broken.spec, "traits": "not a list"})
    supervised.start(cpu_workers=1)

    steady = _submit(process_env, tmp_path, {
        "name": "steady, no immigrants", "objective": "synthetic", "seed": 5, "traits": TRAITS,
        "ga": {"population": 2, "generations": 4, "elite_previous": 2, "elite_all_time": 2, "immigrants": 0,
               "mode": "steady_state"},
        "training": {"synthetic_delay": 2.5},  # several reconciliations while cohort 0 trains
    })  # fmt: skip

    def ended(search):
        return lambda: Search.objects.get(pk=search.pk).status not in (Search.Status.PENDING, Search.Status.RUNNING)

    assert wait_until(ended(steady), timeout=120), supervised.logs()
    assert wait_until(ended(broken), timeout=60), supervised.logs()
    assert supervised.process.poll() is None, supervised.logs()

    steady.refresh_from_db()
    assert steady.status == Search.Status.COMPLETED and steady.births == 8, supervised.logs()
    broken.refresh_from_db()
    assert broken.status == Search.Status.FAILED and "SpecError: must be a list of traits" in broken.error
    assert f"search #{broken.pk} could not be advanced" in supervised.logs()
