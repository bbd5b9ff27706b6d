"""``GAWEB_OBJECTIVES_FILE``: a machine's own objectives, in TOML, one table each.

    [digits_mlp]                     # a Python function, class or Keras builder
    code = "examples.objectives.digits_mlp:train"

    [quadratic]                      # a training command, run once per candidate
    command = ["python3", "examples/objectives/quadratic.py", "{genome}"]
    description = "a noisy quadratic, as a standalone script"
    traits = ["x", "y"]              # the traits it understands (optional)
    metric = "val_accuracy"          # the key of its fitness in its JSON lines (the default)
    direction = "maximize"           # or "minimize" (a loss): its fitness is then its negative
    timeout_seconds = 600            # killed after this long (optional)
    trains_final = true              # it has a final mode, GAWEB_FINAL=1 (optional; see workers.objectives.command)

A command's relative paths are relative to the file's folder, where it also runs (``cwd``
changes that). Read once, when the settings are: a mistake stops every command with a clear
message instead of failing candidates one by one.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from searches.spec.search import BUILT_IN_OBJECTIVES, OBJECTIVE_NAME

KEYS = {"code", "command", "description", "traits", "metric", "direction", "timeout_seconds", "cwd", "trains_final"}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read_objectives_file(path: str) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """(name -> ``module:attribute``, name -> a command's settings) from the file at ``path``."""
    where = f"GAWEB_OBJECTIVES_FILE {path}"
    try:
        tables = tomllib.loads(Path(path).read_text())
    except OSError as error:
        raise ImproperlyConfigured(f"{where}: cannot be read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ImproperlyConfigured(f"{where}: not valid TOML: {error}") from None
    folder = Path(path).resolve().parent
    code, commands, problems = {}, {}, []
    for name, table in tables.items():
        if not isinstance(table, dict):
            problems.append(f"{name}: must be a table ([{name}])")
            continue
        if name in BUILT_IN_OBJECTIVES:
            problems.append(f"[{name}]: {name} is gaweb's own objective; give yours another name")
        elif not OBJECTIVE_NAME.match(name):
            problems.append(f"[{name}]: a name is lower-case letters, digits, _ and - (at most 32, a letter first)")
        unknown = set(table) - KEYS
        if unknown:
            problems.append(f"[{name}]: unknown key {sorted(unknown)[0]!r}; known: {', '.join(sorted(KEYS))}")
        if ("code" in table) == ("command" in table):
            problems.append(f'[{name}]: give one of code = "module:attribute" or command = [...], not both')
            continue
        if "code" in table:
            others = sorted(set(table) & KEYS - {"code"})
            if others:
                problems.append(
                    f"[{name}]: {', '.join(others)}: a command's settings; code says them as attributes of what it"
                    " names (train.description = ..., see workers.objectives.registry)"
                )
            if not isinstance(table["code"], str) or not table["code"].strip():
                problems.append(f'[{name}]: code must be "module:attribute"')
            else:
                code[name] = table["code"].strip()
            continue
        command = _command(name, table, folder, problems)
        if command is not None:
            commands[name] = command
    if problems:
        raise ImproperlyConfigured(f"{where}:\n  " + "\n  ".join(problems))
    return code, commands


def _command(name: str, table: dict[str, Any], folder: Path, problems: list[str]) -> dict[str, Any] | None:
    argv = table["command"]
    if isinstance(argv, str):
        argv = shlex.split(argv)
    if not isinstance(argv, list) or not argv or not all(isinstance(part, str) and part for part in argv):
        problems.append(f"[{name}]: command must be a list of strings (the program, then its arguments)")
        return None
    traits = table.get("traits")
    if traits is not None and (not isinstance(traits, list) or not all(isinstance(t, str) for t in traits)):
        problems.append(f"[{name}]: traits must be a list of trait names")
    metric = table.get("metric", "val_accuracy")
    if not isinstance(metric, str) or not IDENTIFIER.match(metric):
        problems.append(f"[{name}]: metric must be a name such as val_accuracy")
    direction = table.get("direction", "maximize")
    if direction not in ("maximize", "minimize"):
        problems.append(f"[{name}]: direction must be maximize or minimize")
    timeout = table.get("timeout_seconds")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0):
        problems.append(f"[{name}]: timeout_seconds must be a number above 0")
    trains_final = table.get("trains_final", False)
    if not isinstance(trains_final, bool):
        problems.append(f"[{name}]: trains_final must be true or false")
    cwd = table.get("cwd", ".")
    if not isinstance(cwd, str):
        problems.append(f"[{name}]: cwd must be a folder")
        return None
    return {
        "argv": argv,
        "description": str(table.get("description", "")),
        "traits": traits,
        "metric": metric,
        "direction": direction,
        "timeout_seconds": timeout,
        "cwd": str((folder / cwd).resolve()),
        "trains_final": trains_final is True,
    }
