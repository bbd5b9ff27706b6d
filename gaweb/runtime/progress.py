"""Follows a search in the terminal: a progress bar of entities ended, and the best fitness."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from searches.models import Search
from searches.reads.best import best_entity
from searches.reads.selectors import search_progress

BAR_WIDTH = 30


def progress_line(search: Search, progress: dict, elapsed: float) -> str:
    total = max(progress["total"], 1)
    filled = round(BAR_WIDTH * progress["ended"] / total)
    best = "-" if progress["best_fitness"] is None else f"{progress['best_fitness']:.4f}"
    generation = f"{max(search.current_generation, 0) + 1}/{search.generations}"
    return (
        f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress['ended']}/{progress['total']} entities  "
        f"generation {generation}  running {progress['running']}  failed {progress['failed']}  "
        f"best {best}  {elapsed:.0f}s"
    )


def follow_search(
    search_id: int,
    *,
    write: Callable[[str], None],
    tty: bool,
    poll_seconds: float = 1.0,
    tick: Callable[[], None] = lambda: None,
) -> Search:
    """Show progress until the search ends; ``tick`` runs at every poll (to supervise workers)."""
    started = time.monotonic()
    last = ""
    while True:
        search = Search.objects.get(pk=search_id)
        line = progress_line(search, search_progress(search), time.monotonic() - started)
        if tty:
            write(f"\r{line}")
        elif line.split("  generation")[0] != last.split("  generation")[0]:
            write(line + "\n")  # without a terminal, a line only when an entity ends
        last = line
        if not search.is_active:
            if tty:
                write("\n")
            return search
        tick()
        time.sleep(poll_seconds)


def end_summary(search: Search, seconds: float) -> list[str]:
    """What to tell the user when a search ends: how, and its best entity."""
    lines = [f"search #{search.pk} {search.status} in {seconds:.1f}s"]
    if search.error:
        lines.append(f"error: {search.error}")
    best = best_entity(search)
    if best is not None:
        search.refresh_from_db(fields=["best_fitness"])
        trainings = f", the mean of {len(best.trainings)} trainings" if len(best.trainings) > 1 else ""
        lines.append(
            f"best fitness {search.best_fitness:.4f} (entity #{best.pk}, generation {best.generation.number + 1}"
            f"{trainings}): {json.dumps(best.genome)}"
        )
    return lines


def manage_py() -> str:
    """How the user can run manage.py again: with this interpreter, shown relative when it is local."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(Path.cwd())
    return f"{python} manage.py"
