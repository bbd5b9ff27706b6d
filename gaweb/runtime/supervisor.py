"""One Celery worker per GPU (or a few CPU workers), started, watched and restarted.

``plan_workers`` decides which workers to run and with what environment; it is
pure, so that the plan for any machine can be checked without its GPUs.
``Supervisor`` runs a plan: it starts each worker with its log file, restarts a
worker that dies, and stops them all on request.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from gaweb.celery import app

log = logging.getLogger("gaweb.supervisor")

RESTART_DELAY_SECONDS = 5.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class WorkerPlan:
    name: str  # gpu0, cpu0
    hostname: str  # the Celery node name, <name>@<host>: also the name its entities record
    gpu: str | None
    env: dict[str, str]
    argv: list[str]


def detect_gpus(run: Callable = subprocess.run) -> list[str]:
    """The GPU indices ``nvidia-smi -L`` lists; none where it is missing or fails."""
    try:
        listing = run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(r"^GPU (\d+):", listing, flags=re.MULTILINE)


def plan_workers(
    *,
    gpus: Sequence[str],
    cpu_workers: int,
    cpu_count: int,
    python: str,
    queue: str,
    max_memory_mb: int,
    log_level: str = "INFO",
    host: str | None = None,
) -> list[WorkerPlan]:
    """One worker per GPU, each seeing only its own GPU; with no GPU, ``cpu_workers`` CPU workers.

    Every worker runs one job at a time and prefetches none (``--prefetch-multiplier 1``
    with late acknowledgement), so a queued job waits for the first idle worker.
    A CPU worker's thread pools get an equal share of the cores. The process that
    trains is replaced after a candidate that leaves it above ``max_memory_mb`` of
    resident memory, which bounds what TensorFlow keeps from each fit.

    Each worker's node name (``cpu0@host``) is written out, not left to Celery's ``%h``, and
    also given to it as ``GAWEB_WORKER_NAME``: a new training process of the worker needs it
    to take up at once the entity its killed predecessor was training.
    """
    host = host or socket.gethostname()
    # TF_CPP_MIN_LOG_LEVEL=2: TensorFlow's C++ start-up notices would fill the logs at every new process.
    base_env = {
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "GAWEB_LOG_LEVEL": log_level,
        "GAWEB_WORKER": "1",
    }
    plans = []

    def plan(name: str, gpu: str | None, env: dict[str, str]) -> WorkerPlan:
        hostname = f"{name}@{host}"
        env = {**base_env, **env, "GAWEB_WORKER_NAME": hostname}
        return WorkerPlan(name, hostname, gpu, env, _celery_argv(python, hostname, queue, log_level, max_memory_mb))

    if gpus:
        return [plan(f"gpu{gpu}", gpu, {"CUDA_VISIBLE_DEVICES": gpu, "GAWEB_GPU": gpu}) for gpu in gpus]
    threads = max(1, cpu_count // max(1, cpu_workers))
    for index in range(cpu_workers):
        env = {
            "CUDA_VISIBLE_DEVICES": "",  # a CPU worker must not take a GPU that a GPU worker owns
            "GAWEB_GPU": "",
            "GAWEB_CPU_THREADS": str(threads),
            "OMP_NUM_THREADS": str(threads),
        }
        plans.append(plan(f"cpu{index}", None, env))
    return plans


def build_plans(*, gpus: str | None, cpu_workers: int) -> list[WorkerPlan]:
    """The plan for this machine from the commands' ``--gpus`` and ``--cpu-workers`` options."""
    if cpu_workers < 1:
        raise CommandError("--cpu-workers must be at least 1")
    if gpus is not None:
        chosen = [g.strip() for g in gpus.split(",") if g.strip()]
        if not chosen or not all(g.isascii() and g.isdigit() for g in chosen):
            raise CommandError(f"--gpus takes GPU indices separated by commas, e.g. 0,2 (got {gpus!r})")
    else:
        chosen = detect_gpus()
    return plan_workers(
        gpus=chosen,
        cpu_workers=cpu_workers,
        cpu_count=os.cpu_count() or 1,
        python=sys.executable,
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        max_memory_mb=settings.GAWEB_WORKER_MAX_MEMORY_MB,
    )


def refuse_names_alive(plans: Sequence[WorkerPlan], *, timeout: float = 1.0) -> None:
    """Raise ``CommandError`` when a worker of the plan's names already answers on the broker.

    A worker's name is its identity: the entities it trains record it, and a worker that starts
    queues again whatever is still "running" under its name (see ``entities_requeue_orphans``).
    Two workers of one name (``up`` run twice, or machines cloned with one host name) would take
    each other's candidates away, again and again, until they failed "after 3 attempts".
    """
    names = [plan.hostname for plan in plans]
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)  # not kombu's retries for minutes
            replies = app.control.ping(destination=names, timeout=timeout, connection=connection) or []
    except Exception as error:  # the broker away: the workers will wait for it, and so may this check
        log.info("could not ask whether workers named %s are running: %s", ", ".join(names), error)
        return
    alive = sorted({name for reply in replies for name in reply if name in names})
    if alive:
        raise CommandError(
            f"a worker named {', '.join(alive)} is already running on {settings.CELERY_BROKER_URL}: another "
            "`up` or `runworkers` on this machine, or another machine with the same host name. Stop it first, "
            "or give each machine its own host name (a worker's name is <gpu0|cpu0>@<host name>)."
        )


def _celery_argv(python: str, hostname: str, queue: str, log_level: str, max_memory_mb: int) -> list[str]:
    return [
        python, "-m", "celery", "-A", "gaweb", "worker",
        "--hostname", hostname, "--queues", queue,
        "--pool", "prefork", "--concurrency", "1", "--prefetch-multiplier", "1",
        "--max-memory-per-child", str(max_memory_mb * 1024),
        "--without-gossip", "--without-mingle", "--loglevel", log_level,
    ]  # fmt: skip


def _end_with(supervisor: int) -> None:
    """In a worker before it runs: SIGKILL it when the supervisor dies (Linux's parent-death signal).

    A supervisor killed hard (``kill -9``, the OOM killer) cannot stop its workers in order. Left
    alive they would train unsupervised, and a supervisor started again would be refused, since
    their names answer on the broker. Killed with it, their jobs come back as a killed worker's
    do (late acknowledgement; the restarted worker queues again what still runs under its name).
    The supervisor starts workers from its one thread, the thread the signal is tied to.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != supervisor:  # it died before the line above: nothing would signal
            os._exit(1)


@dataclass
class _Running:
    plan: WorkerPlan
    log_path: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    log_file: object = field(default=None, repr=False)


class Supervisor:
    """Runs a plan of workers; ``poll()`` restarts those that died; ``stop()`` ends them all."""

    def __init__(self, plans: Sequence[WorkerPlan], *, log_dir: Path, cwd: Path, echo: Callable[[str], None]):
        log_dir.mkdir(parents=True, exist_ok=True)
        self._workers = [_Running(plan, log_dir / f"{plan.name}.log") for plan in plans]
        self._cwd = cwd
        self._echo = echo

    @property
    def host(self) -> str:
        """The machine its workers are named after (``cpu0@host``)."""
        names = [w.plan.hostname for w in self._workers]
        return names[0].rpartition("@")[2] if names else socket.gethostname()

    @property
    def planned(self) -> int:
        return len(self._workers)

    @property
    def alive(self) -> int:
        """Worker processes running now."""
        return sum(1 for w in self._workers if w.process is not None and w.process.poll() is None)

    @property
    def restarts(self) -> int:
        return sum(w.restarts for w in self._workers)

    @property
    def log_paths(self) -> dict[str, Path]:
        return {w.plan.name: w.log_path for w in self._workers}

    def start(self) -> None:
        for worker in self._workers:
            self._launch(worker)
            where = f"GPU {worker.plan.gpu}" if worker.plan.gpu is not None else "CPU"
            self._echo(f"worker {worker.plan.name} ({where}) started; log: {worker.log_path}")

    def poll(self) -> None:
        for worker in self._workers:
            if worker.process is None or worker.process.poll() is None:
                continue
            if time.monotonic() - worker.started_at < RESTART_DELAY_SECONDS:
                continue  # died at once: wait a little before trying again
            worker.restarts += 1
            self._echo(
                f"worker {worker.plan.name} exited with {worker.process.returncode}; "
                f"restarting (restart {worker.restarts}); log: {worker.log_path}"
            )
            self._launch(worker)

    def stop(self, *, grace: float = 10.0) -> None:
        """Ask every worker to stop (SIGTERM), then force the ones still running."""
        running = [w for w in self._workers if w.process and w.process.poll() is None]
        for worker in running:
            worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for worker in running:
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # Jobs are acknowledged late, and a restarted worker queues its cut-off entity again.
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
        for worker in self._workers:
            if worker.log_file:
                worker.log_file.close()

    def _launch(self, worker: _Running) -> None:
        if worker.log_file:
            worker.log_file.close()
        worker.log_file = open(worker.log_path, "a", buffering=1)  # noqa: SIM115 (kept open while it runs)
        worker.process = subprocess.Popen(
            worker.plan.argv,
            env={**os.environ, **worker.plan.env},
            cwd=self._cwd,
            stdout=worker.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor only, which stops workers in order
            preexec_fn=functools.partial(_end_with, os.getpid()),
        )
        worker.started_at = time.monotonic()
