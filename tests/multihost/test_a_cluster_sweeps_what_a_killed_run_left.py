"""A test run killed before ``Cluster.close`` (SIGKILL, a machine's tools restarted) leaves its
namespaces, processes and its end of the link to main, which still holds 10.213.0.1. The next
cluster sweeps them first: otherwise its main is unreachable behind the old link, and every
multi-host test after it fails with "nothing listens on 10.213.0.2"."""

from __future__ import annotations

import fcntl
import subprocess
import tempfile
from pathlib import Path

import pytest

from .cluster import Cluster, unavailable


def test_a_new_cluster_sweeps_a_killed_run_s_namespace_process_and_link(tmp_path):
    why = unavailable()
    if why:
        pytest.skip(why)
    killed = Cluster(tmp_path / "killed", tag="0dea")
    killed.workdir.mkdir()
    # Made under the cluster lock, as a killed run made it: no other test process's cluster is up meanwhile.
    with open(Path(tempfile.gettempdir()) / "gaweb-multihost.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        killed._namespace(killed.main)
        killed._link(f"gw{killed.tag}t", f"gw{killed.tag}tm", killed.main, None, 0)
        sleeper = subprocess.Popen(["ip", "netns", "exec", killed.main, "sleep", "600"])
    # ... and the run is gone without close(): what it made stays.

    fresh = Cluster(tmp_path / "fresh")
    fresh.workdir.mkdir()
    try:
        fresh.start_main()
        assert sleeper.wait(timeout=10) != 0  # killed with its namespace
        names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert killed.main not in names and fresh.main in names
        links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
        assert f"gw{killed.tag}t" not in links
        # Main's Redis answers through the fresh link: start_main waited for it.
        assert fresh.redis.poll() is None
    finally:
        fresh.close()
        killed.close()  # a no-op if the sweep worked
        if sleeper.poll() is None:
            sleeper.kill()
