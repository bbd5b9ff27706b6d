from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from searches import services
from searches.genetics import SpecError
from searches.models import Generation, Search
from searches.selectors import best_entity
from workers.inline import run_inline


class Command(BaseCommand):
    help = "Create a search from a JSON spec and run it (--inline: in this process, with no broker or worker)."

    def add_arguments(self, parser):
        parser.add_argument("spec", help="path of a JSON spec, or - for standard input")
        parser.add_argument(
            "--inline", action="store_true", help="evaluate every entity in this process (no Redis, no workers)"
        )

    def handle(self, *args, spec: str, inline: bool, **options):
        raw = _read_spec(spec)
        execution = Search.Execution.INLINE if inline else Search.Execution.WORKERS
        try:
            search = services.search_create(spec=raw, execution=execution)
        except SpecError as error:
            lines = [
                f"  {path or 'spec'}: {message}" for path, messages in error.errors.items() for message in messages
            ]
            raise CommandError("the spec is not valid:\n" + "\n".join(lines)) from None
        self.stdout.write(
            f"search #{search.pk} {search.name!r}: {search.generations} generations of {search.population}"
        )
        if not inline:
            services.search_start(search_id=search.pk)
            self.stdout.write(
                f"queued generation 0 for the workers; follow it with `python manage.py exportsearch {search.pk}`"
            )
            return
        started = time.monotonic()

        def report(generation: Generation) -> None:
            mean = "-" if generation.mean_fitness is None else f"{generation.mean_fitness:.4f}"
            best = "-" if generation.best_fitness is None else f"{generation.best_fitness:.4f}"
            self.stdout.write(
                f"generation {generation.number + 1}/{search.generations}: best {best}  mean {mean}  "
                f"(done {generation.done_count}, cached {generation.cached_count}, failed {generation.failed_count})  "
                f"elapsed {time.monotonic() - started:.1f}s"
            )

        search = run_inline(search.pk, on_generation=report)
        best = best_entity(search)
        self.stdout.write(f"search #{search.pk} {search.status} in {time.monotonic() - started:.1f}s")
        if search.error:
            self.stdout.write(f"error: {search.error}")
        if best is not None:
            self.stdout.write(
                f"best fitness {best.fitness:.4f} (entity #{best.pk}, generation {best.generation.number}): "
                f"{json.dumps(best.genome)}"
            )
        self.stdout.write(f"everything: {manage_py()} exportsearch {search.pk}")


def manage_py() -> str:
    """How the user can run manage.py again: with this interpreter, shown relative when it is local."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(Path.cwd())
    return f"{python} manage.py"


def _read_spec(source: str):
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
    except OSError as error:
        raise CommandError(f"cannot read the spec {source!r}: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{source} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
