from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from . import _registry
from ._errors import ErrorCollector, SpecError
from ._traits import is_number

MAX_POPULATION = 1000
MAX_GENERATIONS = 1000
STRATEGIES = tuple(_registry.BUILT_IN)  # gaweb's own; more may be installed (``_registry``)
DUPLICATES = ("rebreed", "cache")
MODES = ("generational", "steady_state")


@dataclass(frozen=True)
class BreedingPolicy:
    """The genetic algorithm's settings (the spec's ``ga``); the defaults are the reference experiment's.

    Each field's ``metadata["doc"]`` says what it does: the spec reference in the docs is
    generated from them (``searches.spec.reference``), so it cannot drift from this class.
    """

    population: int = field(
        default=20,
        metadata={"doc": "Candidates per generation (generation 0 is this many random genomes), from 2 to 1,000."},
    )
    generations: int = field(
        default=8, metadata={"doc": "Generations in the search, generation 0 included, from 1 to 1,000."}
    )
    elite_previous: int = field(
        default=10,
        metadata={"doc": "The best of the previous generation that become parents (at most the population)."},
    )
    elite_all_time: int = field(
        default=10,
        metadata={
            "doc": "The best of the whole search so far that become parents (at most the population). An entity "
            "in both sets is one parent, counted once (see `reference_parent_pool`). The parents "
            "(`elite_previous` + `elite_all_time` + `immigrants`) must number at least 2; a population under "
            "10 needs these set, since their defaults are 10."
        },
    )
    immigrants: int = field(
        default=1,
        metadata={
            "doc": "Fresh random genomes added to the parents of each generation (at most the population). They "
            "are parents only and are not trained."
        },
    )
    mutation_rate: float = field(
        default=0.05, metadata={"doc": "The probability, from 0 to 1, that each trait of an offspring is redrawn."}
    )
    strategy: str = field(
        default="genetic",
        metadata={
            "doc": "What proposes the genomes: `genetic` (the reference); `random` (every generation is "
            "`population` fresh random genomes: the honest baseline); `tpe` (Optuna's TPE sampler); "
            "`surrogate` (the genetic algorithm with a random forest that picks which of many children "
            "to train). An installed strategy joins through the entry point group `gaweb.strategies`.",
            "one_of": STRATEGIES,
        },
    )
    duplicates: str = field(
        default="rebreed",
        metadata={
            "doc": "`rebreed`: no genome is proposed twice in a search, a duplicate child is bred again; "
            "`cache`: the reference's behaviour, a duplicate takes a place in its generation and the "
            "search reuses the earlier result (generational mode only).",
            "one_of": DUPLICATES,
        },
    )
    mode: str = field(
        default="generational",
        metadata={
            "doc": "`generational` (the reference: a generation is bred when the last one has ended), or "
            "`steady_state`: one child is bred as soon as each candidate ends, so no worker waits for a "
            'generation; a "generation" is then a birth cohort of `population`.',
            "one_of": MODES,
        },
    )
    confirm: int = field(
        default=0,
        metadata={
            "doc": "At the end, the best `confirm` candidates are trained once more from other initial "
            "weights, and the search's best is the one whose trainings average highest, so that a "
            "lucky draw is not crowned (`confirm` more trainings in all; at most the population)."
        },
    )
    # Not hashed: a genome is a mapping. Stored as a tuple of plain dicts.
    seed_genomes: tuple[Mapping[str, Any], ...] = field(
        default=(),
        hash=False,
        metadata={
            "doc": "Genomes placed first in generation 0, whatever the strategy (what is known, such as a "
            "network's published values, is where a search starts); at most the population. Each may be "
            'partial: the traits it does not name are drawn at random. `"tutorial"` stands for the '
            "tutorial network's own values (keras searches)."
        },
    )

    def __post_init__(self) -> None:
        errors = ErrorCollector()
        for name in ("population", "generations", "elite_previous", "elite_all_time", "immigrants", "confirm"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                errors.add(name, "must be an integer")
        if not is_number(self.mutation_rate):
            errors.add("mutation_rate", "must be a finite number")
        errors.raise_if_any()

        if not 2 <= self.population <= MAX_POPULATION:
            errors.add("population", f"must be between 2 and {MAX_POPULATION:,} (got {self.population:,})")
        if not 1 <= self.generations <= MAX_GENERATIONS:
            errors.add("generations", f"must be between 1 and {MAX_GENERATIONS:,} (got {self.generations:,})")
        for name in ("elite_previous", "elite_all_time", "immigrants", "confirm"):
            value = getattr(self, name)
            if value < 0:
                errors.add(name, "must not be negative")
            elif value > self.population:
                errors.add(name, f"must be at most the population, {self.population} (got {value})")
        if self.duplicates not in DUPLICATES:
            errors.add("duplicates", f"unknown {str(self.duplicates)[:40]!r}; choose one of: {', '.join(DUPLICATES)}")
        if self.mode not in MODES:
            errors.add("mode", f"unknown mode {str(self.mode)[:40]!r}; choose one of: {', '.join(MODES)}")
        elif self.mode == "steady_state" and self.duplicates == "cache":
            errors.add("duplicates", "a steady-state search never proposes a genome twice: use rebreed")
        if not 0 <= self.mutation_rate <= 1:
            errors.add("mutation_rate", f"must be between 0 and 1 (got {self.mutation_rate})")
        self._check_seed_genomes(errors)
        if not errors.errors and self.elite_previous + self.elite_all_time + self.immigrants < 2:
            errors.add("", "the parents (elite_previous + elite_all_time + immigrants) must number at least 2")
        errors.raise_if_any()

    def _check_seed_genomes(self, errors: ErrorCollector) -> None:
        """Their shape only: whether each names traits of the space, with values in their ranges, is
        the spec's check (it knows the space)."""
        seeds = self.seed_genomes
        if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (list, tuple)):
            errors.add("seed_genomes", "must be a list of genomes (objects of trait values)")
            return
        if len(seeds) > self.population:
            errors.add("seed_genomes", f"at most the population, {self.population} (got {len(seeds)})")
        for index, genome in enumerate(seeds):
            if not isinstance(genome, Mapping) or not all(isinstance(name, str) for name in genome):
                errors.add(f"seed_genomes[{index}]", "must be an object of trait values")
        if not errors.errors:  # a normal form: a tuple of plain dicts, whatever came in
            object.__setattr__(self, "seed_genomes", tuple(dict(genome) for genome in seeds))

    @classmethod
    def from_spec(cls, spec: Any, *, stored: bool = False) -> BreedingPolicy:
        """Build from the ``ga`` object of a search spec; missing keys take the defaults.

        The strategy must be one this machine has and can load, unless the spec is ``stored``
        (checked when its search was created): a machine that only trains, or shows, a search
        never needs the strategy that breeds it.
        """
        if spec is None:
            return cls()
        if not isinstance(spec, Mapping):
            raise SpecError("must be an object")
        known = {f.name for f in fields(cls)}
        unknown = [key for key in spec if key not in known]
        if unknown:
            raise SpecError({str(key)[:40]: [f"unknown setting; known: {', '.join(sorted(known))}"] for key in unknown})
        errors = ErrorCollector()
        if not stored:
            problem = _registry.problem_with(spec.get("strategy", cls.strategy))
            if problem:
                errors.add("strategy", problem)
        try:
            policy = cls(**spec)
        except SpecError as error:
            errors.merge(error)
        errors.raise_if_any()
        return policy

    def to_spec(self) -> dict[str, Any]:
        spec = asdict(self)
        # Named only where used, so that the normal form of a spec without seeds is what it was.
        if self.seed_genomes:
            spec["seed_genomes"] = [dict(genome) for genome in self.seed_genomes]
        else:
            del spec["seed_genomes"]
        return spec
