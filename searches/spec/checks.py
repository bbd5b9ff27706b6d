"""The field checks of a search spec (``parse_spec``'s helpers): each adds its messages to the
errors, keyed by the field, and returns the value to keep."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searches.genetics import BreedingPolicy, ErrorCollector, Space, StoppingRule, Trait, is_number
from searches.spec.catalog import FOLDER_PREFIX, KERAS_TRAITS, NAMED_DATASETS, under_data_roots

if TYPE_CHECKING:
    from searches.spec.training import TrainingSettings

MAX_NAME_LENGTH = 200
MAX_PATH_LENGTH = 1000
MAX_SEED = 2**63 - 1


def check_name(name: Any, errors: ErrorCollector) -> str:
    if name is None:
        errors.add("name", "this field is required")
    elif not isinstance(name, str) or not name.strip():
        errors.add("name", "must be a non-empty string")
    elif len(name) > MAX_NAME_LENGTH:
        errors.add("name", f"must be at most {MAX_NAME_LENGTH} characters (got {len(name):,})")
    else:
        return name.strip()
    return ""


def check_seed(seed: Any, errors: ErrorCollector) -> int:
    if seed is None:
        # No seed given: draw one and store it, so that the search can still be repeated.
        return secrets.randbelow(2**31)
    if isinstance(seed, bool) or not isinstance(seed, int):
        errors.add("seed", "must be an integer")
    elif not 0 <= seed <= MAX_SEED:
        errors.add("seed", f"must be between 0 and {MAX_SEED}")
    else:
        return seed
    return 0


def check_dataset(dataset: Any, data_roots: Sequence[Path], errors: ErrorCollector) -> str:
    if not isinstance(dataset, str):
        errors.add("dataset", "must be a string")
        return ""
    if dataset in NAMED_DATASETS:
        return dataset
    if not dataset.startswith(FOLDER_PREFIX):
        shown = dataset[:60]
        errors.add("dataset", f"unknown dataset {shown!r}; use {', '.join(NAMED_DATASETS)} or folder:<path>")
        return ""
    raw_path = dataset[len(FOLDER_PREFIX) :]
    if not raw_path or len(raw_path) > MAX_PATH_LENGTH or "\x00" in raw_path:
        errors.add("dataset", "folder:<path> needs a path of at most 1000 characters")
        return ""
    resolved = under_data_roots(raw_path, data_roots)
    if resolved is None:
        allowed = ", ".join(str(Path(os.path.realpath(root))) for root in data_roots) or "(none configured)"
        errors.add("dataset", f"{raw_path!r} is outside the allowed data roots ({allowed}); set GAWEB_DATA_ROOTS")
        return ""
    if not resolved.is_dir():
        errors.add("dataset", f"{raw_path!r} is not a folder")
        return ""
    return f"{FOLDER_PREFIX}{resolved}"


# The ``fitness`` section's settings, with their lines in the generated spec reference.
FITNESS_DOCS = {
    "size_penalty": "Accuracy taken off per million parameters (0 to 1,000; default 0): the write-up's next "
    "step, a smaller network preferred at equal accuracy.",
    "objectives": "Several objectives at once, NSGA-II's way (default: none, one fitness): a list of 2 or 3 of "
    "`accuracy` (the search's fitness), `parameters` and `seconds` (training time), each with a leading `-` "
    'to minimise it, such as `["accuracy", "-parameters"]`. Parents are chosen, and the leaderboard '
    "ranked, by Pareto front then crowding distance; `best.json` lists the front. Not with a `size_penalty` "
    "(the single-objective way), nor with the `surrogate` strategy.",
}
# What ``fitness.objectives`` may name: the fitness, then a cost that every objective reports of each
# candidate, to minimise. Two, so that the fronts cost O(n log n) (``genetics.pareto_ranks``).
OBJECTIVE_NAMES = ("accuracy", "parameters", "seconds")
SECOND_OBJECTIVES = ("-parameters", "-seconds")


def check_fitness(fitness: Any, errors: ErrorCollector) -> tuple[float, tuple[str, ...]]:
    """The ``fitness`` section: its size penalty and its objectives (none: one fitness)."""
    if fitness is None:
        return 0.0, ()
    if not isinstance(fitness, Mapping):
        errors.add("fitness", "must be an object")
        return 0.0, ()
    for key in fitness:
        if key not in FITNESS_DOCS:
            errors.add(f"fitness.{str(key)[:40]}", f"unknown setting; known: {', '.join(FITNESS_DOCS)}")
    penalty = fitness.get("size_penalty", 0.0)
    if not is_number(penalty) or not 0 <= penalty <= 1000:
        errors.add("fitness.size_penalty", "must be a number between 0 and 1000 (accuracy lost per million parameters)")
        penalty = 0.0
    objectives = _check_objectives(fitness.get("objectives"), errors)
    if objectives and penalty:
        errors.add("fitness.objectives", "several objectives take no size_penalty: add -parameters instead")
    return float(penalty), objectives


def _check_objectives(objectives: Any, errors: ErrorCollector) -> tuple[str, ...]:
    if objectives is None:
        return ()
    choices = " or ".join(SECOND_OBJECTIVES)
    if (
        isinstance(objectives, (str, bytes))
        or not isinstance(objectives, Sequence)
        or len(objectives) != 2
        or objectives[0] != "accuracy"
        or objectives[1] not in SECOND_OBJECTIVES
    ):
        errors.add("fitness.objectives", f'must be ["accuracy", X] with X one of {choices}')
        return ()
    return tuple(objectives)


def check_declared_traits(space: Space, objective: str, declared: Sequence[str], errors: ErrorCollector) -> None:
    for index, trait in enumerate(space):
        if trait.name not in declared:
            errors.add(
                f"traits[{index}].name",
                f"the {objective} objective does not know {trait.name!r}; its traits: {', '.join(declared)}",
            )


def check_keras_traits(space: Space, errors: ErrorCollector) -> None:
    for index, trait in enumerate(space):
        known = KERAS_TRAITS.get(trait.name)
        if known is None:
            errors.add(
                f"traits[{index}].name",
                f"the keras objective does not know {trait.name!r}; known traits: {', '.join(KERAS_TRAITS)}",
            )
            continue
        problem = _outside_domain(trait, known.domain)
        if problem:
            errors.add(f"traits[{index}]", f"{trait.name}: {problem}")


def _outside_domain(trait: Trait, domain: tuple) -> str | None:
    """Why some value of ``trait`` is not one the network builder accepts, or None."""
    kind = domain[0]
    values = trait.grid()
    if kind == "one_of":
        allowed = domain[1]
        if values is None or any(not any(type(v) is type(a) and v == a for a in allowed) for v in values):
            return f"every value must be one of {list(allowed)}"
        return None
    low, high = domain[1], domain[2]
    if kind == "int" and (values is None or any(isinstance(v, bool) or not isinstance(v, int) for v in values)):
        return f"must take whole numbers (an int or geometric_int trait, or a choice of integers) in [{low}, {high}]"
    if values is None:
        values = [getattr(trait, "low", None), getattr(trait, "high", None)]
    if any(not is_number(v) or not low <= v <= high for v in values):
        return f"values must lie in [{low}, {high}]"
    return None


# The objectives that resume a candidate from its stored weights, as bracket promotion needs.
BRACKET_OBJECTIVES = ("keras", "synthetic")


def check_brackets(training: TrainingSettings, ga: BreedingPolicy, objective: Any, errors: ErrorCollector) -> None:
    """Bracket promotion pauses a generation's candidates at each rung and resumes the best from
    their stored weights: it needs generations, a candidate per genome, and an objective that resumes."""
    rule = StoppingRule.from_spec(training.early_stopping, epochs=training.epochs)
    if rule is None or rule.promotion != "bracket":
        return
    where = "training.early_stopping.promotion"
    if ga.mode != "generational":
        errors.add(where, "a bracket is a generation: it needs ga.mode generational (steady state is asynchronous)")
    elif ga.duplicates != "rebreed":
        errors.add(where, 'a bracket needs ga.duplicates "rebreed": a cached copy would wait on its original\'s rungs')
    if objective not in BRACKET_OBJECTIVES:
        errors.add(where, "a bracket resumes candidates from stored weights: the keras and synthetic objectives do")
