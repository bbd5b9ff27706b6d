"""A supervisor killed with SIGKILL (the OOM killer, ``kill -9``, a crashed service manager) cannot
stop its workers in order. Left running, they would be unsupervised, and ``runworkers`` started
again would be refused because their names are alive: the host would train with nobody to restart
a dead worker or to recover its jobs. So the workers end with their supervisor, and the restarted
one takes over (found by the chaos campaign, ``bench/chaos.py``)."""

from __future__ import annotations

import signal
import socket

import psutil
from celery import Celery

from tests.processes import children_of, wait_until


def test_a_supervisor_killed_hard_takes_its_workers_with_it_and_a_new_one_starts(supervised, process_env):
    supervised.start(cpu_workers=1)
    name = f"cpu0@{socket.gethostname()}"
    probe = Celery(broker=process_env["REDIS_URL"], set_as_current=False)  # gaweb's app stays the current one
    assert wait_until(lambda: probe.control.ping(destination=[name], timeout=1), timeout=60), supervised.logs()
    (worker,) = children_of(supervised.process.pid)

    supervised.process.send_signal(signal.SIGKILL)
    supervised.process.wait()
    assert wait_until(lambda: not psutil.pid_exists(worker) or psutil.Process(worker).status() == "zombie",
                      timeout=10), "the worker outlived its supervisor"  # fmt: skip

    supervised.start(cpu_workers=1)  # as a service manager would
    assert wait_until(lambda: probe.control.ping(destination=[name], timeout=1), timeout=60), supervised.logs()
    assert supervised.process.poll() is None, supervised.logs()
