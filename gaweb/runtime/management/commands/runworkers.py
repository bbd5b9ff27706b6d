from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from gaweb.runtime.supervisor import Supervisor, build_plans, refuse_names_alive
from gaweb.runtime.watch import Watch, stop_on_signals


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
                self.stdout.write(f"{plan.hostname}: {env}\n    {' '.join(plan.argv)}")
            return
        refuse_names_alive(plans)
        supervisor = Supervisor(plans, log_dir=settings.VAR_DIR / "logs", cwd=settings.BASE_DIR, echo=self.stdout.write)
        stop_on_signals()
        try:
            supervisor.start()
            self.stdout.write(f"{len(plans)} workers on {settings.CELERY_BROKER_URL}; Ctrl-C stops them")
            Watch(supervisor).run_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("stopping the workers...")
            supervisor.stop()
