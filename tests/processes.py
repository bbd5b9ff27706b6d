"""Real processes for tests: a private Redis server, real Celery workers, manage.py commands."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from gaweb.runtime.supervisor import plan_workers

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test uses, for subprocesses to use the same one."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


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
            max_memory_mb=settings.GAWEB_WORKER_MAX_MEMORY_MB,
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

    def kill_training_process(self, name: str) -> int:
        """SIGKILL the worker's training process (its pool child), as the kernel's OOM killer would;
        the worker itself lives on and starts a new one. Returns the killed process id."""
        children = children_of(self.processes[name].pid)
        assert len(children) == 1, f"{name} has training processes {children}"
        os.kill(children[0], signal.SIGKILL)
        return children[0]

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


class Supervised:
    """``manage.py runworkers`` in a subprocess: the workers with their supervisor and reconciler."""

    def __init__(self, env: dict[str, str], var_dir: Path, **settings: str):
        self.env = {**env, "GAWEB_VAR_DIR": str(var_dir), "GAWEB_PRELOAD_KERAS": "0", **settings}
        self.log = var_dir / "runworkers.log"
        self.process: subprocess.Popen | None = None

    def start(self, cpu_workers: int = 1) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runworkers", "--cpu-workers", str(cpu_workers)],
            env=self.env, cwd=ROOT, stdout=open(self.log, "a"), stderr=subprocess.STDOUT,  # noqa: SIM115
            start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def logs(self) -> str:
        parts = [self.log, *sorted((self.log.parent / "logs").glob("*.log"))]
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in parts if p.exists())


def children_of(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (Linux)."""
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]
