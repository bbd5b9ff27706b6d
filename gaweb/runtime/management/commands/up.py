from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gaweb.accounts import ensure_first_admin
from gaweb.runtime.progress import end_summary, follow_search, manage_py
from gaweb.runtime.redis_server import RedisUnavailable, ensure_redis
from gaweb.runtime.supervisor import Supervisor, build_plans, refuse_names_alive
from gaweb.runtime.watch import Watch, stop_on_signals, stop_process
from searches import services
from searches.genetics import SpecError
from searches.spec.search import read_spec_file

# How long the web server has to stop after SIGTERM before it is killed.
WEB_STOP_GRACE_SECONDS = 10


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
        try:
            demo_spec = read_spec_file(demo) if demo else None
        except SpecError as error:
            raise CommandError(str(error)) from None
        plans = build_plans(gpus=gpus, cpu_workers=cpu_workers)
        stop_on_signals()
        # Whatever is started is stopped, in reverse order, however this ends (Ctrl-C, an error,
        # a web server that will not stop in time): each step of the shutdown runs even when
        # an earlier one fails, so nothing is left running in its own session.
        with contextlib.ExitStack() as started:
            try:
                self.start_all(started, plans, say)
                if demo_spec is not None:
                    self.run_demo(demo_spec)
                    if exit_after_demo:
                        return
                say(
                    "gaweb is up. Queue a search with "
                    f"`{manage_py()} runsearch SPEC.json --wait` in another terminal; Ctrl-C stops everything."
                )
                self.watch.run_forever()
            except KeyboardInterrupt:
                say("\nstopping...")

    def start_all(self, started: contextlib.ExitStack, plans, say) -> None:
        # A fresh var/ (or an upgrade) has tables to create first: the workers and the web need them.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            private_redis = ensure_redis(
                settings.CELERY_BROKER_URL, explicit="REDIS_URL" in os.environ, folder=settings.VAR_DIR / "redis"
            )
        except RedisUnavailable as error:
            raise CommandError(str(error)) from None
        if private_redis:
            started.callback(private_redis.stop)
            say(f"started a private Redis at {private_redis.url} (files in {private_redis.folder})")
        else:
            say(f"using Redis at {settings.CELERY_BROKER_URL}")
        refuse_names_alive(plans)
        supervisor = Supervisor(plans, log_dir=settings.VAR_DIR / "logs", cwd=settings.BASE_DIR, echo=say)
        started.callback(supervisor.stop)
        supervisor.start()
        password = ensure_first_admin()
        if password:
            say(f"created the account admin with password {password} (shown only now: keep it, or change it)")
        web_log = started.enter_context(open(settings.VAR_DIR / "logs" / "web.log", "a", buffering=1))  # noqa: SIM115
        web = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "gaweb.wsgi",
                "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "8",
                # gunicorn's control socket lives in var/ like everything else gaweb writes.
                "--control-socket", str(settings.VAR_DIR / "gunicorn.ctl"),
                "--access-logfile", "-",
            ],
            cwd=settings.BASE_DIR, stdout=web_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        started.callback(lambda: stop_process(web, grace=WEB_STOP_GRACE_SECONDS))
        say(f"web: http://127.0.0.1:{self.port}/ (sign in there to watch and start searches); log: {web_log.name}")

        def web_alive() -> None:
            if web.poll() is not None:
                raise CommandError(f"the web server stopped; see {web_log.name}")

        self.watch = Watch(supervisor, checks=[web_alive])

    def run_demo(self, spec: dict) -> None:
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
        search = follow_search(search.pk, write=write, tty=self.stdout.isatty(), tick=self.watch.tick)
        for line in end_summary(search, time.monotonic() - started):
            self.stdout.write(f"demo: {line}")
        self.stdout.write(f"everything about it: {manage_py()} exportsearch {search.pk}")
