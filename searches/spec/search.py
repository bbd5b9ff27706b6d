"""The JSON search spec: parsing, validation with per-field messages, and the normal form.

The same spec comes from ``runsearch``, the web form and the API. ``parse_spec``
reports every problem at once as a ``SpecError`` whose paths name the field
(``"ga.population"``, ``"traits[1].high"``); a valid spec comes back as a
``SearchSpec`` whose ``to_dict()`` is the normal form that is stored and exported.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from searches.genetics import BreedingPolicy, ErrorCollector, Space, SpecError, StoppingRule, Trait
from searches.spec import checks
from searches.spec.catalog import TUTORIAL_GENOME
from searches.spec.training import FinalSettings, TrainingSettings, final_from_spec, training_from_spec

# gaweb's own objectives, known everywhere; the others are the ones workers say they have
# (``workers.objectives.registry``), given to ``parse_spec`` by the caller.
BUILT_IN_OBJECTIVES: Mapping[str, tuple[str, ...] | None] = {"synthetic": None, "keras": None}
# What a user's objective may be called (Search.objective holds 32 characters).
OBJECTIVE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
BUILT_IN_DESCRIPTIONS = {
    "synthetic": "no training: a known landscape scores each genome (tests, demos)",
    "keras": "trains gaweb's CNN (the TensorFlow CIFAR-10 tutorial network, generalised)",
}
# The largest spec accepted, from a file, the form or the API.
MAX_SPEC_BYTES = 256 * 1024
# The shorthand, in ``ga.seed_genomes``, for the tutorial network's own values.
TUTORIAL = "tutorial"
# A spec's top-level keys, with their lines in the generated spec reference (``searches.spec.reference``).
TOP_LEVEL_DOCS: dict[str, str] = {
    "name": "The search's name, shown everywhere (required; at most 200 characters).",
    "dataset": "`digits` (scikit-learn's, in every install), `cifar10` (Keras's copy, or a local one), or "
    "`folder:<path>`: a folder of images, one subfolder per class, under one of `GAWEB_DATA_ROOTS`. Default: "
    "`digits`.",
    "objective": "What scores a genome: `keras` (trains gaweb's CNN), `synthetic` (a known landscape, no "
    'training; the default), or an objective registered on the workers (the guide\'s "Tune your own model").',
    "seed": "Fixes every random draw of the search: the same spec and seed give the same genomes (`null` or "
    "absent: one is drawn and stored). Training on a CPU with several threads is not bit-for-bit repeatable, "
    "so later generations of a keras search can differ.",
    "baseline": "Train the tutorial's own network too, as a reference row on the dashboard (keras only).",
    "ga": "The algorithm's settings: the table `ga` below.",
    "fitness": "How a trained candidate is scored: the table `fitness` below.",
    "training": "How each candidate is trained: the table `training` below.",
    "final": 'How "Train the best on all data" trains the best: the table `final` below.',
    "traits": "The search space: a list of traits (required), each one of the types below.",
}
TOP_LEVEL_KEYS = tuple(TOP_LEVEL_DOCS)


@dataclass(frozen=True)
class SearchSpec:
    name: str
    dataset: str
    objective: str
    seed: int
    ga: BreedingPolicy
    size_penalty: float
    training: TrainingSettings
    space: Space
    # Train the tutorial's own network too, as a reference (keras objective only).
    baseline: bool = False
    final: FinalSettings = field(default_factory=FinalSettings)
    # Several objectives, NSGA-II's way (``fitness.objectives``); none: one fitness.
    objectives: tuple[str, ...] = ()

    @classmethod
    def from_stored(cls, raw: Mapping[str, Any]) -> SearchSpec:
        """A search's stored spec, read back: it was validated (``parse_spec``) when the search was
        created, so only its parts are read, not its data roots or objective checked again (a
        worker may not have the web server's). A key that specs stored before it lack takes its default."""
        return cls(
            name=raw.get("name", ""),
            dataset=raw.get("dataset", "digits"),
            objective=raw.get("objective", "synthetic"),
            seed=raw.get("seed", 0),
            ga=BreedingPolicy.from_spec(raw["ga"], stored=True),
            size_penalty=(raw.get("fitness") or {}).get("size_penalty", 0.0),
            training=training_from_spec(raw.get("training")),
            space=Space.from_spec(raw["traits"]),
            baseline=bool(raw.get("baseline", False)),
            final=final_from_spec(raw.get("final")),
            objectives=tuple((raw.get("fitness") or {}).get("objectives") or ()),
        )

    @property
    def stopping_rule(self) -> StoppingRule | None:
        """The early-stopping rule (None: every candidate trains all its epochs)."""
        return StoppingRule.from_spec(self.training.early_stopping, epochs=self.training.epochs)

    @property
    def final_epochs(self) -> int:
        """A final training's epochs: the ``final`` section's, else the epochs a candidate trains on all
        the images (the search's own, less those on a share of them: successive halving's image rungs)."""
        if self.final.epochs:
            return self.final.epochs
        rule = self.stopping_rule
        return self.training.epochs - (rule.image_rungs if rule is not None and rule.images_grow() else 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dataset": self.dataset,
            "objective": self.objective,
            "seed": self.seed,
            "baseline": self.baseline,
            "ga": self.ga.to_spec(),
            # Objectives named only where set, so that a one-fitness spec's normal form is what it was.
            "fitness": {
                "size_penalty": self.size_penalty,
                **({"objectives": list(self.objectives)} if self.objectives else {}),
            },
            "training": asdict(self.training),
            "final": asdict(self.final),
            "traits": self.space.to_spec(),
        }


def decode_spec(text: str | bytes, *, source: str | None = None) -> Any:
    """The JSON value of a spec, or ``SpecError`` saying where the JSON broke.

    ``source`` names where the text came from (a file's name), for the message.
    """
    where = f"{source}: " if source else ""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"{where}the spec is larger than {MAX_SPEC_BYTES // 1024} KB")
    try:
        return json.loads(text)
    except UnicodeDecodeError:
        raise SpecError(f"{where}the spec must be UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise SpecError(f"{where}not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None


def read_spec_file(path: str) -> Any:
    """The JSON value of the spec file at ``path`` (``-``: standard input), or ``SpecError``."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_bytes()
    except OSError as error:
        raise SpecError(f"cannot read the spec {path!r}: {error.strerror}") from None
    return decode_spec(text, source=path)


def parse_spec(
    raw: Any, *, data_roots: Sequence[Path] = (), objectives: Mapping[str, Sequence[str] | None] | None = None
) -> SearchSpec:
    """Validate a decoded JSON spec; raise ``SpecError`` listing every problem.

    ``objectives``: name -> the trait names it understands (None: any), for every objective a
    spec may name; by default gaweb's own.
    """
    objectives = BUILT_IN_OBJECTIVES if objectives is None else objectives
    if not isinstance(raw, Mapping):
        raise SpecError("a search spec must be a JSON object")
    errors = ErrorCollector()
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            errors.add(str(key)[:40], f"unknown key; a spec has: {', '.join(TOP_LEVEL_KEYS)}")

    name = checks.check_name(raw.get("name"), errors)
    dataset = checks.check_dataset(raw.get("dataset", "digits"), data_roots, errors)
    objective = raw.get("objective", "synthetic")
    if not isinstance(objective, str) or objective not in objectives:
        errors.add(
            "objective",
            f"unknown objective {str(objective)[:40]!r}: no machine has it registered; choose one of: "
            f"{', '.join(objectives)} (yours is registered with GAWEB_OBJECTIVES or GAWEB_OBJECTIVES_FILE "
            "where it trains: docs/own-model.md)",
        )
    seed = checks.check_seed(raw.get("seed"), errors)
    raw_ga = raw.get("ga")
    # The seed genomes are checked against the space, once it is read: the policy takes them after.
    seeds = raw_ga.get("seed_genomes") if isinstance(raw_ga, Mapping) else None
    if seeds is not None:
        raw_ga = {key: value for key, value in raw_ga.items() if key != "seed_genomes"}
    ga = _section(BreedingPolicy.from_spec, raw_ga, "ga", errors)
    size_penalty, several = checks.check_fitness(raw.get("fitness"), errors)
    if several and ga is not None and ga.strategy == "surrogate":
        errors.add("fitness.objectives", "the surrogate strategy fits one fitness: choose genetic, tpe or random")
    training = _section(training_from_spec, raw.get("training"), "training", errors)
    final = _section(final_from_spec, raw.get("final"), "final", errors)

    space = None
    if "traits" not in raw:
        errors.add("traits", "this field is required")
    else:
        space = _section(Space.from_spec, raw["traits"], "traits", errors)
    if space is not None and objective == "keras":
        checks.check_keras_traits(space, errors)
    elif space is not None and isinstance(objective, str) and objectives.get(objective) is not None:
        checks.check_declared_traits(space, objective, objectives[objective], errors)
    if seeds is not None and space is not None and ga is not None:
        ga = _with_seed_genomes(ga, seeds, space, objective, errors)
    if training is not None and ga is not None:
        checks.check_brackets(training, ga, objective, errors)
    baseline = raw.get("baseline", False)
    if not isinstance(baseline, bool):
        errors.add("baseline", "must be true or false")
    elif baseline and objective != "keras":
        errors.add("baseline", "a baseline is the tutorial network: it needs the keras objective")
    errors.raise_if_any()
    return SearchSpec(
        name=name,
        dataset=dataset,
        objective=objective,
        seed=seed,
        ga=ga,
        size_penalty=size_penalty,
        objectives=several,
        training=training,
        space=space,
        baseline=baseline,
        final=final,
    )


def _with_seed_genomes(
    ga: BreedingPolicy, seeds: Any, space: Space, objective: str, errors: ErrorCollector
) -> BreedingPolicy:
    """The policy with its seed genomes, each checked against the space (``"tutorial"``: the
    tutorial network's values of the space's traits). A seed may name only some traits."""
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        errors.add("ga.seed_genomes", 'must be a list of genomes (objects of trait values, or "tutorial")')
        return ga
    genomes = []
    for index, seed in enumerate(seeds):
        where = f"ga.seed_genomes[{index}]"
        if seed == TUTORIAL:
            if objective != "keras":
                errors.add(where, '"tutorial" is the tutorial network\'s values: it needs the keras objective')
                continue
            seed = {name: TUTORIAL_GENOME[name] for name in space.names}
        if not isinstance(seed, Mapping):
            errors.add(where, 'must be an object of trait values, or "tutorial"')
            continue
        for name, value in seed.items():
            if name not in space.names:
                known = ", ".join(space.names)
                errors.add(f"{where}.{str(name)[:40]}", f"not a trait of this space; its traits: {known}")
            elif not space[name].contains(value):
                shown = str(value)[:40]
                errors.add(f"{where}.{name}", f"{shown!r} is not a value of this trait ({_range_of(space[name])})")
        genomes.append(dict(seed))
    complete = [json.dumps(g, sort_keys=True) for g in genomes if len(g) == len(space.names)]
    if len(set(complete)) < len(complete):
        errors.add("ga.seed_genomes", "the same genome is given twice")
    if errors.errors:
        return ga
    try:
        return replace(ga, seed_genomes=tuple(genomes))
    except SpecError as error:
        errors.merge(error, prefix="ga")
        return ga


def _range_of(trait: Trait) -> str:
    spec = trait.to_spec()
    if "choices" in spec:
        return "one of " + ", ".join(json.dumps(choice) for choice in spec["choices"])
    if "low" in spec:
        step = f", step {spec['step']}" if spec.get("step") else ""
        return f"{spec['type']} in [{spec['low']}, {spec['high']}]{step}"
    return "true or false"


def _section(build, value: Any, path: str, errors: ErrorCollector):
    try:
        return build(value)
    except SpecError as error:
        errors.merge(error, prefix=path)
    except TypeError as error:  # a dataclass given a key it does not have
        errors.add(path, str(error))
    return None


def fitness_from(*, accuracy: float, parameter_count: int, size_penalty: float, floor: bool = True) -> float:
    """Fitness is validation accuracy, less ``size_penalty`` per million parameters, floored at 0.

    With the default penalty of 0 it is the accuracy itself. A penalty of 0.01
    makes a 5-million-parameter model pay 0.05 of accuracy. The floor keeps every
    trained candidate at or above a failed one, which counts as 0. A minimised metric's
    fitness is its negative (``floor=False``): it has no floor, and a failed candidate counts
    as the search's worst (``services.told``).
    """
    fitness = accuracy - size_penalty * parameter_count / 1_000_000
    if not floor:
        return fitness if math.isfinite(fitness) else -math.inf
    return max(fitness, 0.0) if math.isfinite(fitness) else 0.0


def objective_values(
    objectives: Sequence[str], *, fitness: float | None, parameter_count: int | None, train_seconds: float | None
) -> tuple[float, ...]:
    """A candidate's value of each of ``fitness.objectives``, every one oriented to be maximised
    (a ``-name`` negated); what a candidate lacks (a failed one's fitness, an unknown size) is the worst."""
    measured = {"accuracy": fitness, "parameters": parameter_count, "seconds": train_seconds}
    values = []
    for objective in objectives:
        value = measured[objective.lstrip("-")]
        sign = -1.0 if objective.startswith("-") else 1.0
        values.append(-math.inf if value is None or not math.isfinite(value) else sign * float(value))
    return tuple(values)
