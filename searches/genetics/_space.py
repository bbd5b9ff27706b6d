from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import ErrorCollector, SpecError
from ._trait_specs import trait_from_spec
from ._traits import Trait

MAX_TRAITS = 64
# Every discrete trait keeps its grid in memory: bound them all together, not only one by one.
MAX_GRID_POINTS_IN_ALL = 500_000

Genome = dict[str, Any]


@dataclass(frozen=True)
class Space:
    """An ordered set of traits with distinct names: what a genome is made of."""

    traits: tuple[Trait, ...]

    @classmethod
    def from_spec(cls, specs: Any) -> Space:
        """Build a space from a list of trait descriptions; every problem is reported at once.

        Error paths look like ``"[2].low"``: the caller prefixes them (``"traits"``).
        """
        if not isinstance(specs, list):
            raise SpecError("must be a list of traits")
        if not specs:
            raise SpecError("a search needs at least one trait")
        if len(specs) > MAX_TRAITS:
            raise SpecError(f"at most {MAX_TRAITS} traits (got {len(specs)})")
        errors = ErrorCollector()
        traits: list[Trait] = []
        seen: set[str] = set()
        for index, spec in enumerate(specs):
            try:
                trait = trait_from_spec(spec)
            except SpecError as error:
                errors.merge(error, prefix=f"[{index}]")
                continue
            if trait.name in seen:
                errors.add(f"[{index}].name", f"duplicate trait name {trait.name!r}")
            seen.add(trait.name)
            traits.append(trait)
        errors.raise_if_any()
        points = sum(len(trait.grid() or ()) for trait in traits)
        if points > MAX_GRID_POINTS_IN_ALL:
            raise SpecError(f"the traits' grids hold {points:,} values in all; at most {MAX_GRID_POINTS_IN_ALL:,}")
        return cls(traits=tuple(traits))

    def to_spec(self) -> list[dict[str, Any]]:
        return [trait.to_spec() for trait in self.traits]

    def __iter__(self) -> Iterator[Trait]:
        return iter(self.traits)

    def __len__(self) -> int:
        return len(self.traits)

    def __getitem__(self, name: str) -> Trait:
        for trait in self.traits:
            if trait.name == name:
                return trait
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [trait.name for trait in self.traits]

    @property
    def combinations(self) -> int | None:
        """How many distinct genomes the space holds; ``None`` when a trait is continuous."""
        counts = [trait.cardinality for trait in self.traits]
        if any(count is None for count in counts):
            return None
        return math.prod(counts)  # type: ignore[arg-type]

    def sample(self, rng: random.Random) -> Genome:
        """A random genome: each trait drawn from its own distribution, in trait order."""
        return {trait.name: trait.sample(rng) for trait in self.traits}

    def contains(self, genome: Mapping[str, Any]) -> bool:
        return set(genome) == set(self.names) and all(t.contains(genome[t.name]) for t in self.traits)


def genome_hash(genome: Mapping[str, Any]) -> str:
    """A stable digest of a genome's values, independent of key order."""
    canonical = json.dumps(genome, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def generation_rng(seed: int, generation: int) -> random.Random:
    """The random generator for breeding one generation of a search.

    It depends only on the search's seed and the generation number (string seeds
    are hashed with SHA-512 by ``random``, whatever PYTHONHASHSEED is), so a
    generation bred again after a crash, in another process, is the same generation.
    """
    return random.Random(f"gaweb:{seed}:{generation}")


def birth_rng(seed: int, birth: int) -> random.Random:
    """The random generator for one birth of a steady-state search (its ``birth``-th candidate):
    like ``generation_rng``, it depends on the seed and the birth's number alone."""
    return random.Random(f"gaweb:{seed}:birth:{birth}")


def unique_by_genome(individuals: Sequence[Any]) -> list[Any]:
    """Keep the first of each distinct genome, in order."""
    seen: set[str] = set()
    kept = []
    for individual in individuals:
        digest = genome_hash(individual.genome)
        if digest not in seen:
            seen.add(digest)
            kept.append(individual)
    return kept
