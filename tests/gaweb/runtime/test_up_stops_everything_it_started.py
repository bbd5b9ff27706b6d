"""``up`` stops everything it started, in order, even when one part will not stop in time."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

from gaweb.runtime.management.commands import up
from gaweb.runtime.watch import stop_process
from tests.processes import children_of, wait_until

# A server that ignores SIGTERM and has a child of its own (as gunicorn has its worker).
STUBBORN = (
    "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); time.sleep(600)"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


REAL_POPEN = subprocess.Popen


def _stubborn() -> subprocess.Popen:
    process = REAL_POPEN([sys.executable, "-c", STUBBORN], start_new_session=True)
    assert wait_until(lambda: children_of(process.pid), timeout=20)
    return process


def test_a_process_that_ignores_sigterm_is_killed_with_its_children_after_the_grace():
    process = _stubborn()
    child = children_of(process.pid)[0]
    stop_process(process, grace=0.5)
    assert process.poll() is not None
    assert wait_until(lambda: not _alive(child), timeout=10)


def test_up_stops_the_workers_and_redis_even_when_the_web_server_will_not_stop(monkeypatch, settings, tmp_path):
    stopped: list[str] = []

    class PrivateRedis:
        url, folder = "redis://127.0.0.1:1/0", tmp_path / "redis"

        def stop(self):
            stopped.append("redis")

    class Supervisor:
        def __init__(self, *args, **kwargs):
            (tmp_path / "logs").mkdir(exist_ok=True)

        def start(self):
            pass

        def stop(self):
            stopped.append("workers")

    web = []
    monkeypatch.setattr(up, "ensure_redis", lambda *args, **kwargs: PrivateRedis())
    monkeypatch.setattr(up, "ensure_first_admin", lambda: None)
    monkeypatch.setattr(up, "call_command", lambda *args, **kwargs: None)  # no database here: nothing to migrate
    monkeypatch.setattr(up, "Supervisor", Supervisor)
    monkeypatch.setattr(up.subprocess, "Popen", lambda argv, **kwargs: web.append(_stubborn()) or web[0])
    monkeypatch.setattr(up, "WEB_STOP_GRACE_SECONDS", 0.5)
    settings.VAR_DIR = tmp_path
    command = up.Command(stdout=io.StringIO())
    command.port = 8123

    with contextlib.ExitStack() as stack:
        command.start_all(stack, [], say=lambda text: None)
    assert web[0].poll() is not None  # killed after its grace
    assert stopped == ["workers", "redis"]  # and then the rest, in reverse order of starting
