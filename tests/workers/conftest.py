"""Real processes for the worker tests: a private Redis server and real Celery workers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from workers.redis_server import PrivateRedis
from workers.supervisor import plan_workers

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A Redis of the tests' own, on a free port: runs never collide with another Redis user."""
    server = PrivateRedis(port=_free_port(), folder=tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def process_env(redis_server, transactional_db):
    """The environment that makes a subprocess use the test database and the test Redis."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_server.url,
        "GAWEB_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "GAWEB_LOG_LEVEL": "INFO",
    }


class Workers:
    """Starts real Celery workers as ``runworkers`` would, and stops them at the end of a test."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, count: int = 1, *, preload_keras: bool = True, first: int = 0) -> None:
        plans = plan_workers(
            gpus=[],
            cpu_workers=first + count,
            cpu_count=os.cpu_count() or 1,
            python=sys.executable,
            queue=self.env["GAWEB_QUEUE"],
            tasks_per_process=settings.GAWEB_TASKS_PER_PROCESS,
        )[first:]
        for plan in plans:
            env = {**self.env, **plan.env, "GAWEB_PRELOAD_KERAS": "1" if preload_keras else "0"}
            log = open(self.log_dir / f"{plan.name}.log", "a")  # noqa: SIM115
            self.processes[plan.name] = subprocess.Popen(
                plan.argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes.pop(name).wait()

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.log_dir.glob("*.log")))


@pytest.fixture
def workers(process_env, tmp_path):
    pool = Workers(process_env, tmp_path)
    yield pool
    pool.stop()


def run_command(env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess:
    """``manage.py`` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def wait_until(predicate, *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
