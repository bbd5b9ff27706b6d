from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gaweb.accounts import ensure_first_admin
from searches import services
from searches.genetics import SpecError
from workers.management.commands.runsearch import manage_py
from workers.management.commands.runworkers import build_plans
from workers.progress import end_summary, follow_search
from workers.reconcile import Periodic, reconcile
from workers.redis_server import RedisUnavailable, ensure_redis
from workers.supervisor import Supervisor


class Command(BaseCommand):
    help = (
        "Start everything gaweb needs on this machine: Redis (a private one if none answers), "
        "the workers and the web server; optionally run a demo search. Ctrl-C stops it all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", metavar="SPEC", help="run this search once everything is up")
        parser.add_argument("--port", type=int, default=8000, help="web server port (default 8000)")
        parser.add_argument("--gpus", help="GPU indices for the workers (default: every GPU found)")
        parser.add_argument("--cpu-workers", type=int, default=1, help="CPU workers when there is no GPU")
        parser.add_argument("--exit-after-demo", action="store_true", help="stop everything when the demo ends")

    def handle(self, *args, demo, port, gpus, cpu_workers, exit_after_demo, **options):
        say = self.stdout.write
        self.port = port
        demo_spec = _read_json(demo) if demo else None
        try:
            private_redis = ensure_redis(
                settings.CELERY_BROKER_URL, explicit="REDIS_URL" in os.environ, folder=settings.VAR_DIR / "redis"
            )
        except RedisUnavailable as error:
            raise CommandError(str(error)) from None
        if private_redis:
            say(f"started a private Redis at {private_redis.url} (files in {private_redis.folder})")
        else:
            say(f"using Redis at {settings.CELERY_BROKER_URL}")
        supervisor = Supervisor(
            build_plans(gpus=gpus, cpu_workers=cpu_workers),
            log_dir=settings.VAR_DIR / "logs",
            cwd=settings.BASE_DIR,
            echo=say,
        )
        web_log = open(settings.VAR_DIR / "logs" / "web.log", "a", buffering=1)  # noqa: SIM115
        web = None
        # Ctrl-C, a kill or a closed terminal all stop everything in order (explicitly, because a
        # process started in the background may inherit an ignored SIGINT).
        for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop, _raise_keyboard_interrupt)
        self.reconciler = Periodic(settings.GAWEB_RECONCILE_SECONDS, reconcile)
        try:
            supervisor.start()
            password = ensure_first_admin()
            if password:
                say(f"created the account admin with password {password} (shown only now: keep it, or change it)")
            web = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "gaweb.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--threads",
                    "8",
                    "--access-logfile",
                    "-",
                ],
                cwd=settings.BASE_DIR,
                stdout=web_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            say(f"web: http://127.0.0.1:{port}/ (sign in there to watch and start searches); log: {web_log.name}")
            if demo_spec is not None:
                self.run_demo(demo_spec, supervisor)
                if exit_after_demo:
                    return
            say(
                "gaweb is up. Queue a search with "
                f"`{manage_py()} runsearch SPEC.json --wait` in another terminal; Ctrl-C stops everything."
            )
            while True:
                supervisor.poll()
                self.reconciler()
                if web.poll() is not None:
                    raise CommandError(f"the web server stopped; see {web_log.name}")
                time.sleep(1)
        except KeyboardInterrupt:
            say("\nstopping...")
        finally:
            if web and web.poll() is None:
                web.terminate()
                web.wait(timeout=10)
            supervisor.stop()
            if private_redis:
                private_redis.stop()
            web_log.close()

    def run_demo(self, spec: dict, supervisor: Supervisor) -> None:
        try:
            owner = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
            search = services.search_create(spec=spec, owner=owner)
        except SpecError as error:
            raise CommandError(f"the demo spec is not valid: {error}") from None
        services.search_start(search_id=search.pk)
        self.stdout.write(
            f"demo: search #{search.pk} {search.name!r} queued; watch it at "
            f"http://127.0.0.1:{self.port}/searches/{search.pk}/"
        )

        def write(text: str) -> None:
            self.stdout.write(text, ending="")
            self.stdout.flush()

        started = time.monotonic()

        def tick() -> None:
            supervisor.poll()
            self.reconciler()

        search = follow_search(search.pk, write=write, tty=self.stdout.isatty(), tick=tick)
        for line in end_summary(search, time.monotonic() - started):
            self.stdout.write(f"demo: {line}")
        self.stdout.write(f"everything about it: {manage_py()} exportsearch {search.pk}")


def _read_json(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise CommandError(f"cannot read the spec {path}: {error}") from None


def _raise_keyboard_interrupt(*_args) -> None:
    raise KeyboardInterrupt
