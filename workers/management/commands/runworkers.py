from __future__ import annotations

import os
import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workers.reconcile import Periodic, reconcile
from workers.supervisor import Supervisor, detect_gpus, plan_workers


class Command(BaseCommand):
    help = (
        "Start one Celery worker per GPU (each sees only its own GPU), or CPU workers where there is none; "
        "restart any that dies; Ctrl-C stops them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--gpus", help="GPU indices to use, e.g. 0,2 (default: every GPU nvidia-smi lists)")
        parser.add_argument("--cpu-workers", type=int, default=1, help="CPU workers when there is no GPU (default 1)")
        parser.add_argument("--dry-run", action="store_true", help="print the plan and start nothing")

    def handle(self, *args, gpus: str | None, cpu_workers: int, dry_run: bool, **options):
        plans = build_plans(gpus=gpus, cpu_workers=cpu_workers)
        if dry_run:
            for plan in plans:
                shown = {k: v for k, v in plan.env.items() if k.startswith(("CUDA", "GAWEB_GPU", "GAWEB_CPU", "OMP"))}
                env = " ".join(f"{k}={v!r}" for k, v in shown.items())
                self.stdout.write(f"{plan.name}@{os.uname().nodename}: {env}\n    {' '.join(plan.argv)}")
            return
        supervisor = Supervisor(plans, log_dir=settings.VAR_DIR / "logs", cwd=settings.BASE_DIR, echo=self.stdout.write)
        supervisor.start()
        reconciler = Periodic(settings.GAWEB_RECONCILE_SECONDS, reconcile)
        self.stdout.write(f"{len(plans)} workers on {settings.CELERY_BROKER_URL}; Ctrl-C stops them")
        stopping = []
        for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop, lambda *_: stopping.append(True))
        try:
            while not stopping:
                supervisor.poll()
                reconciler()
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        self.stdout.write("stopping the workers...")
        supervisor.stop()


def build_plans(*, gpus: str | None, cpu_workers: int):
    if cpu_workers < 1:
        raise CommandError("--cpu-workers must be at least 1")
    if gpus is not None:
        chosen = [g.strip() for g in gpus.split(",") if g.strip()]
        if not chosen or not all(g.isdigit() for g in chosen):
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
