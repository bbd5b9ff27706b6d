"""Two supervisors whose workers have the same names (``up`` run twice, machines cloned with one host
name) would take each other's running candidates away: the second one is refused, clearly, and the
first goes on."""

from __future__ import annotations

import socket
import subprocess
import sys

from celery import Celery

from tests.processes import ROOT, wait_until


def test_runworkers_refuses_to_start_a_worker_whose_name_is_alive(supervised, process_env):
    supervised.start(cpu_workers=1)
    name = f"cpu0@{socket.gethostname()}"
    probe = Celery(broker=process_env["REDIS_URL"], set_as_current=False)  # gaweb's app stays the current one
    assert wait_until(lambda: probe.control.ping(destination=[name], timeout=1), timeout=60), supervised.logs()

    second = subprocess.run(
        [sys.executable, "manage.py", "runworkers", "--cpu-workers", "1"],
        env=supervised.env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode != 0
    assert f"a worker named {name} is already running" in second.stderr
    assert "own host name" in second.stderr
    assert supervised.process.poll() is None, supervised.logs()
