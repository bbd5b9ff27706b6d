"""Which objectives this machine has, and each one's process-wide instance.

Sources, in this order (a name taken first keeps its meaning):
- gaweb's own: ``synthetic`` and ``keras``;
- installed packages, through the ``gaweb.objectives`` entry-point group
  (``[project.entry-points."gaweb.objectives"] resnet = "mypkg.search:train"``);
- the ``GAWEB_OBJECTIVES`` setting, for code that is not a package (``resnet=mymodule:train``),
  and the code named in ``GAWEB_OBJECTIVES_FILE``;
- the training commands named in ``GAWEB_OBJECTIVES_FILE`` (``command.CommandObjective``).

What a name points at decides how gaweb runs it:
- an object (or a class, instantiated once) with ``evaluate(request)``: an ``Objective`` as is;
- a Keras builder, ``build(genome, input_shape, num_classes) -> keras.Model`` (a callable with
  those parameters, or a class or object with such a ``build`` method, as KerasTuner's
  ``HyperModel`` has): gaweb's ``keras`` objective, with its datasets, trainer, early stopping,
  final training and ``best.keras``, training the user's network instead of its own;
- any other callable: a ``train(genome, report)`` function (``function.FunctionObjective``).

It may say more about itself in attributes: ``description`` (else its docstring's first line),
``traits`` (the trait names it understands; a spec naming others is refused) and, for a
function, ``metric`` (the key of its fitness in ``report`` and in a returned dict),
``direction`` and ``trains_final`` (it can be trained at last: see ``function``).

Only what is registered on the machine can run: a spec or a form only chooses among names.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from searches.spec.search import BUILT_IN_DESCRIPTIONS, OBJECTIVE_NAME

from .base import HostCannotTrain, Objective
from .command import CommandObjective
from .function import DEFAULT_METRIC, DIRECTIONS, FunctionObjective

log = logging.getLogger("gaweb.workers")

ENTRY_POINT_GROUP = "gaweb.objectives"
BUILT_IN = {
    "synthetic": "workers.objectives.synthetic:SyntheticObjective",
    "keras": "workers.objectives.keras:KerasObjective",
}
# What ``registered`` shows for a training command, before its command line.
COMMAND = "command: "


@dataclass(frozen=True)
class Offer:
    """What a machine tells the system about one objective it has."""

    name: str
    description: str
    kind: str  # "built-in", "objective" (has evaluate), "keras" (a Keras builder), "function" or "command"
    # The trait names it understands, where it declares them; None: any.
    traits: tuple[str, ...] | None = None
    # The fitness: this metric, maximised or minimised.
    metric: str = DEFAULT_METRIC
    direction: str = "maximize"
    # Its search's best can be trained at last and saved (a Keras builder; a function or command
    # that declares ``trains_final``).
    trains_final: bool = False


def registered() -> dict[str, str]:
    """Name -> where its code is (``module:attribute``), for every objective on this machine."""
    found = dict(BUILT_IN)
    sources = [
        (point.name, point.value, f"entry point {point.name!r}") for point in entry_points(group=ENTRY_POINT_GROUP)
    ]
    sources += [(name, path, f"GAWEB_OBJECTIVES {name!r}") for name, path in settings.GAWEB_OBJECTIVES.items()]
    sources += [
        (name, path, f"GAWEB_OBJECTIVES_FILE [{name}]") for name, path in settings.GAWEB_OBJECTIVE_FILE_CODE.items()
    ]
    sources += [
        (name, COMMAND + " ".join(config["argv"]), f"GAWEB_OBJECTIVES_FILE [{name}]")
        for name, config in settings.GAWEB_OBJECTIVE_COMMANDS.items()
    ]
    for name, path, where in sources:
        if not OBJECTIVE_NAME.match(name):
            log.warning("%s: an objective's name is lower-case letters, digits, _ and -; ignored", where)
        elif name in found:
            log.warning("%s: the name is taken (by %s); ignored", where, found[name])
        else:
            found[name] = path
    return found


def load(path: str) -> Any:
    """The object at ``module:attribute`` (an entry point's form) or ``module.attribute``."""
    module, colon, attribute = path.partition(":")
    return import_string(f"{module}.{attribute}" if colon else path)


@cache
def get_objective(name: str) -> Objective:
    """The process's one instance of an objective, so that what it loads (datasets) is kept.

    A name this machine does not have is another machine's objective: this one hands its
    candidates back (``HostCannotTrain``), and the search fails only if no machine has it.
    """
    paths = registered()
    if name not in paths:
        raise HostCannotTrain(f"the objective {name!r} is not installed on this machine (it has: {', '.join(paths)})")
    if paths[name].startswith(COMMAND):
        return command_objective(settings.GAWEB_OBJECTIVE_COMMANDS[name])
    return adapt(load(paths[name]))


def command_objective(config: dict[str, Any]) -> CommandObjective:
    return CommandObjective(
        config["argv"], metric=config["metric"], direction=config["direction"],
        timeout_seconds=config["timeout_seconds"], cwd=config["cwd"], description=config["description"],
        traits=config["traits"], trains_final=config.get("trains_final", False),
    )  # fmt: skip


def adapt(target: Any) -> Objective:
    """An ``Objective`` from what a name points at (see the module's docstring)."""
    if isinstance(target, type) and not hasattr(target, "evaluate") and keras_build(target) is not None:
        target = target()  # a HyperModel-like class: its instance's build
    if isinstance(target, type):
        if not hasattr(target, "evaluate"):
            raise TypeError(f"{target.__name__} has no evaluate(request) method")
        return target()
    if hasattr(target, "evaluate"):
        return target
    build = keras_build(target)
    if build is not None:
        from .keras import KerasObjective  # imports TensorFlow: only where a builder is used

        return KerasObjective(build=build)
    if callable(target):
        return FunctionObjective(
            target,
            metric=getattr(target, "metric", DEFAULT_METRIC),
            direction=getattr(target, "direction", "maximize"),
            trains_final=bool(getattr(target, "trains_final", False)),
        )
    raise TypeError(f"an objective is a train(genome, report) function or has evaluate(request), not {target!r}")


def offers() -> list[Offer]:
    """What this machine has, as it tells the system; an objective whose code cannot be loaded
    here is logged and left out (its searches' candidates go to machines where it loads)."""
    found = []
    for name, path in registered().items():
        if name in BUILT_IN:
            found.append(
                Offer(name=name, description=BUILT_IN_DESCRIPTIONS[name], kind="built-in", trains_final=name == "keras")
            )
            continue
        if path.startswith(COMMAND):
            config = settings.GAWEB_OBJECTIVE_COMMANDS[name]
            traits = tuple(config["traits"]) if config["traits"] is not None else None
            description = config["description"] or path
            found.append(
                Offer(
                    name=name,
                    description=description[:300],
                    kind="command",
                    traits=traits,
                    metric=config["metric"],
                    direction=config["direction"],
                    trains_final=config.get("trains_final", False),
                )
            )
            continue
        try:
            target = load(path)
            offer = describe(name, target)
            if offer.direction not in DIRECTIONS:
                raise ValueError(f"its direction is {offer.direction!r}, not maximize or minimize")
        except Exception as error:
            log.error(
                "objective %r (%s) cannot be loaded on this machine: %s: %s", name, path, type(error).__name__, error
            )
            continue
        found.append(offer)
    return found


def keras_build(target: Any) -> Any:
    """The Keras builder ``target`` is or has: itself, or its ``build`` method, as a KerasTuner
    ``HyperModel``-like class or object has (``build(self, genome, input_shape, num_classes)``)."""
    if not isinstance(target, type) and is_keras_builder(target):
        return target
    build = getattr(target, "build", None)
    return build if build is not None and is_keras_builder(build) else None


def is_keras_builder(target: Any) -> bool:
    """A callable that takes ``input_shape`` and ``num_classes``, as gaweb's own builder does."""
    if not callable(target) or hasattr(target, "evaluate"):
        return False
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False
    return "input_shape" in parameters and "num_classes" in parameters


def describe(name: str, target: Any) -> Offer:
    description = getattr(target, "description", None) or (getattr(target, "__doc__", None) or "").strip()
    traits = getattr(target, "traits", None)
    kind = "objective" if hasattr(target, "evaluate") else "keras" if keras_build(target) is not None else "function"
    keras_builder = kind == "keras"  # gaweb's trainer: its validation accuracy, maximised
    return Offer(
        metric=DEFAULT_METRIC if keras_builder else str(getattr(target, "metric", DEFAULT_METRIC)),
        direction="maximize" if keras_builder else str(getattr(target, "direction", "maximize")),
        name=name,
        description=str(description).splitlines()[0][:300] if description else "",
        kind=kind,
        traits=tuple(str(t) for t in traits) if traits is not None else None,
        trains_final=keras_builder or bool(getattr(target, "trains_final", False)),
    )
