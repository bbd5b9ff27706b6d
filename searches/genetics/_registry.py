"""The strategies a search may name: gaweb's own, and any installed as an entry point.

A package joins the way objectives do, with an entry point in the group ``gaweb.strategies``
(``pyproject.toml``: ``[project.entry-points."gaweb.strategies"] corners = "mypkg:propose"``).
It must be installed wherever searches are created (the web server checks the name) and bred
(any machine that runs ``runworkers`` or ``up``). What it is called with and must return is
``Strategy`` (``searches.genetics._strategies``). A built-in name is never replaced.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from importlib import metadata
from typing import Any

from ._errors import SpecError

GROUP = "gaweb.strategies"
log = logging.getLogger("gaweb.strategies")

# Where each built-in proposer lives, and its line for the form and the docs. Loaded on first
# use: Optuna and scikit-learn take seconds to import, which every process that only reads specs
# (the web server, manage.py commands) would pay for nothing.
BUILT_IN: dict[str, tuple[str, str]] = {
    "genetic": (
        "._breeding:propose_generation",
        "the reference genetic algorithm: the top of the last generation and of all time breed the next",
    ),
    "random": (
        "._breeding:propose_generation",
        "every generation drawn at random: the baseline any strategy must beat",
    ),
    "tpe": (
        "._tpe:propose_tpe",
        "Bayesian optimisation with Optuna's TPE sampler (multivariate, constant liar), rebuilt from the history",
    ),
    "surrogate": (
        "._surrogate:propose_surrogate",
        "recommended: the genetic algorithm breeds 20 times more children than it trains; a random forest "
        "fitted to the search picks the most promising ones (ahead of TPE in the bake-off)",
    ),
}


def _entry_points() -> list[metadata.EntryPoint]:
    return list(metadata.entry_points(group=GROUP))


@cache
def installed() -> dict[str, metadata.EntryPoint]:
    """The strategies installed as entry points, by name (read once per process)."""
    found = {}
    for entry in _entry_points():
        if entry.name in BUILT_IN:
            log.warning("the strategy %r of %s is ignored: %r is one of gaweb's own", entry.value, GROUP, entry.name)
        else:
            found[entry.name] = entry
    return found


def names() -> tuple[str, ...]:
    """Every strategy a spec may name: gaweb's own first, then the installed ones."""
    return (*BUILT_IN, *sorted(installed()))


def problem_with(name: object) -> str | None:
    """Why a spec may not name this strategy here (None: it may): nobody installed it, or it cannot load."""
    if not isinstance(name, str) or name not in names():
        return (
            f"unknown strategy {str(name)[:40]!r}; choose one of: {', '.join(names())} "
            f"(yours joins as an entry point in the group {GROUP}: docs/strategies.md)"
        )
    try:
        load(name)
    except SpecError as error:
        return str(error)
    return None


def help_lines() -> dict[str, str]:
    """A line about each strategy: gaweb's own, and the first line of an installed one's docstring."""
    lines = {name: line for name, (_, line) in BUILT_IN.items()}
    for name, entry in sorted(installed().items()):
        try:
            doc = (load(name).__doc__ or "").strip()
            lines[name] = (doc.splitlines()[0] if doc else entry.value) + " (installed)"
        except SpecError as error:
            lines[name] = str(error)
    return lines


@cache
def load(name: str) -> Any:
    """The strategy's proposer; ``SpecError`` for a name nobody installed, or one that cannot load."""
    if name in BUILT_IN:
        module, attribute = BUILT_IN[name][0].split(":")
        return getattr(importlib.import_module(module, __package__), attribute)
    entry = installed().get(name)
    if entry is None:
        raise SpecError(f"unknown strategy {str(name)[:40]!r}; choose one of: {', '.join(names())}")
    try:
        return entry.load()
    except Exception as error:  # a third party's import: whatever it raises, say where it came from
        raise SpecError(f"the strategy {name!r} ({entry.value}) cannot be loaded: {error}") from error
