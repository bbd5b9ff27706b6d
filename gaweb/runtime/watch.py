"""The one loop every supervising command runs: keep the workers alive, keep every entity accounted for.

``runworkers`` and ``up`` (and ``up``'s demo, while it follows its search) all call
``Watch.tick`` about once a second; stopping is a ``KeyboardInterrupt``, which Ctrl-C,
a kill or a closed terminal all raise (see ``stop_on_signals``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence

from django.conf import settings

from .host_reports import record_pass
from .reconcile import Periodic, reconcile
from .supervisor import Supervisor

TICK_SECONDS = 1.0

log = logging.getLogger("gaweb.supervisor")


class Watch:
    """Restarts workers that died, reconciles every ``GAWEB_RECONCILE_SECONDS``, runs ``checks``."""

    def __init__(self, supervisor: Supervisor, *, checks: Sequence[Callable[[], None]] = ()):
        self.supervisor = supervisor
        self.checks = list(checks)
        self._reconcile = Periodic(settings.GAWEB_RECONCILE_SECONDS, self.reconcile_and_report)
        # Passes (and failed ones) not yet in the database: those made while it was away.
        self._unreported = {"passes": 0, "errors": 0}

    def tick(self) -> None:
        self.supervisor.poll()
        # What follows reads and writes searches: whatever one search does, the workers of every
        # other search on this machine stay up, so an error is logged and the loop goes on.
        steps = [("reconciliation", self._reconcile)] + [(getattr(c, "__name__", "check"), c) for c in self.checks]
        for name, step in steps:
            try:
                step()
            except Exception:
                log.exception("the supervisor's %s raised; it goes on", name)

    def reconcile_and_report(self) -> None:
        """One reconciliation pass, then this machine's report: its workers alive, how the pass went."""
        done = reconcile()
        pending = self._unreported
        pending["passes"] += 1
        pending["errors"] += done["error"] is not None
        supervisor = self.supervisor
        written = record_pass(
            host=supervisor.host, workers=supervisor.alive, planned=supervisor.planned,
            restarts=supervisor.restarts, error=done["error"], **pending,
        )  # fmt: skip
        if written:
            self._unreported = {"passes": 0, "errors": 0}

    def run_forever(self) -> None:
        """Tick until interrupted (``KeyboardInterrupt``)."""
        while True:
            self.tick()
            time.sleep(TICK_SECONDS)


def stop_on_signals() -> None:
    """Make SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt``, so that every way of stopping
    takes the same orderly path (and a process started in the background, which may inherit an
    ignored SIGINT, still stops on Ctrl-C)."""

    def interrupt(*_args) -> None:
        raise KeyboardInterrupt

    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, interrupt)


def stop_process(process: subprocess.Popen | None, *, grace: float = 10.0) -> None:
    """Ask a process to stop (SIGTERM), and kill it if it has not within ``grace`` seconds.

    Never raises for a process that is slow to stop: what the caller stops next must be stopped too.
    """
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        # Its whole process group where it leads one (started with start_new_session=True):
        # a web server's or a worker's own children must not outlive it.
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()
