from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gaweb.celery import app
from gaweb.runtime.progress import end_summary, follow_search, manage_py
from searches import services
from searches.genetics import SpecError
from searches.models import Generation, Search
from searches.spec.search import read_spec_file
from workers.inline import run_inline
from workers.process_setup import announce_objectives


class Command(BaseCommand):
    help = (
        "Create a search from a JSON spec and run it (--inline: in this process, with no broker or worker); "
        "or give a completed search more generations (--extend ID N), or resume a cancelled one (--resume ID)."
    )

    def add_arguments(self, parser):
        parser.add_argument("spec", nargs="?", help="path of a JSON spec, or - for standard input")
        again = parser.add_mutually_exclusive_group()
        again.add_argument("--extend", nargs=2, type=int, metavar=("ID", "N"), help="N more generations for search ID")
        again.add_argument("--resume", type=int, metavar="ID", help="take up cancelled search ID where it stopped")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--inline", action="store_true", help="evaluate every entity in this process (no Redis, no workers)"
        )
        mode.add_argument("--wait", action="store_true", help="queue it for the workers and follow it until it ends")
        parser.add_argument(
            "--minutes",
            type=float,
            help="with --inline: start no training after this many minutes, and keep what it found",
        )

    def handle(self, *args, spec: str | None, inline: bool, wait: bool, minutes: float | None, **options):
        if minutes is not None and (not inline or not minutes > 0):
            raise CommandError("--minutes is a time budget for --inline searches: a number of minutes above 0")
        again = options.get("extend") or options.get("resume")
        if (spec is None) == (again is None):
            raise CommandError("give a spec to run, or --extend ID N, or --resume ID (one of them)")
        if again is not None:
            return self.take_up(options.get("extend"), options.get("resume"), inline=inline, wait=wait, minutes=minutes)
        execution = Search.Execution.INLINE if inline else Search.Execution.WORKERS
        if inline:
            # This process trains it, so it is where the tables must be (a first run creates them) and
            # where the spec's objective must be registered.
            call_command("migrate", interactive=False, verbosity=0)
            announce_objectives(replace=False)
        try:
            search = services.search_create(spec=read_spec_file(spec), execution=execution)
        except SpecError as error:
            lines = [
                f"  {path or 'spec'}: {message}" for path, messages in error.errors.items() for message in messages
            ]
            raise CommandError("the spec is not valid:\n" + "\n".join(lines)) from None
        self.stdout.write(
            f"search #{search.pk} {search.name!r}: {search.generations} generations of {search.population}"
        )
        self.follow(search, inline=inline, wait=wait, minutes=minutes)

    def take_up(self, extend, resume, *, inline: bool, wait: bool, minutes: float | None) -> None:
        """``--extend ID N`` or ``--resume ID``: the search goes on where it ended, then is followed
        as a new one would be (an inline search runs in this process, whatever the flags)."""
        search_id = extend[0] if extend else resume
        if not Search.objects.filter(pk=search_id).exists():
            raise CommandError(f"no search #{search_id}")
        try:
            if extend:
                search = services.search_extend(search_id=search_id, generations=extend[1])
            else:
                search = services.search_resume(search_id=search_id)
        except services.InvalidTransition as why:
            raise CommandError(f"search #{search_id}: {why}") from None
        self.stdout.write(
            f"search #{search.pk} {search.name!r}: {search.status}, {search.generations} generations of "
            f"{search.population}"
        )
        inline = inline or search.execution == Search.Execution.INLINE
        self.follow(search, inline=inline, wait=wait, minutes=minutes)

    def follow(self, search: Search, *, inline: bool, wait: bool, minutes: float | None) -> None:
        started = time.monotonic()
        if inline:
            search = run_inline(
                search.pk, on_generation=lambda g: self.report_generation(search, g, started), minutes=minutes
            )
        else:
            if search.status == Search.Status.PENDING:
                services.search_start(search_id=search.pk)
            if not wait:
                self.stdout.write(f"queued for the workers; see it with `{manage_py()} exportsearch {search.pk}`")
                return
            if not app.control.ping(timeout=2.0):
                self.stdout.write(f"no worker answers yet: start them with `{manage_py()} runworkers`")
            search = follow_search(search.pk, write=self.write_raw, tty=self.stdout.isatty())
        self.report_end(search, time.monotonic() - started)

    def write_raw(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()

    def report_generation(self, search: Search, generation: Generation, started: float) -> None:
        mean = "-" if generation.mean_fitness is None else f"{generation.mean_fitness:.4f}"
        best = "-" if generation.best_fitness is None else f"{generation.best_fitness:.4f}"
        search.refresh_from_db(fields=["best_fitness"])
        so_far = "-" if search.best_fitness is None else f"{search.best_fitness:.4f}"
        self.stdout.write(
            f"generation {generation.number + 1}/{search.generations}: its best {best}  its mean {mean}  "
            f"best so far {so_far}  "
            f"(done {generation.done_count}, stopped early {generation.stopped_count}, "
            f"cached {generation.cached_count}, failed {generation.failed_count})  "
            f"elapsed {time.monotonic() - started:.1f}s"
        )

    def report_end(self, search: Search, seconds: float) -> None:
        for line in end_summary(search, seconds):
            self.stdout.write(line)
        self.stdout.write(f"everything: {manage_py()} exportsearch {search.pk}")
        if search.status == Search.Status.FAILED:  # a script can tell a failed search from a finished one
            raise CommandError(f"search #{search.pk} failed: {search.error}")
