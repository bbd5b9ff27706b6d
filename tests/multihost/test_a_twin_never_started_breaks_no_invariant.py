"""The chaos campaign's twin-supervisor invariant counts the twins that ran, not those it never
started: a CI run failed it on a twin skipped while a worker restarted."""

from __future__ import annotations

import sys

from .cluster import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from chaos import unrefused_twins  # bench/ is not a package: on the path above


def test_only_a_twin_that_ran_breaks_the_invariant():
    log = [
        {"t": 10.0, "kind": "duplicate_name", "host": "gpuhost1", "refused": True, "rc": 1},
        {"t": 96.8, "kind": "duplicate_name", "skipped": "a worker or Redis restarting: the name may not answer yet"},
        {"t": 50.0, "kind": "kill_worker", "host": "gpuhost2"},
    ]
    assert unrefused_twins(log) == []
    ran = {"t": 120.0, "kind": "duplicate_name", "host": "gpuhost3", "refused": False, "rc": 0}
    assert unrefused_twins([*log, ran]) == [ran]
