"""The genetic algorithm, in pure Python.

It imports nothing from Django, Celery or TensorFlow: it proposes genomes and is
told their fitness, and knows nothing of how or where they are evaluated.
"""

from __future__ import annotations

from ._breeding import (
    IMMIGRANT,
    OFFSPRING,
    RANDOM,
    Individual,
    Key,
    Proposal,
    propose_generation,
    rank,
    reference_parent_pool,
)
from ._errors import ErrorCollector, SpecError
from ._operators import FROM_FIRST, FROM_SECOND, MUTATED, pair_at_random, redraw_mutation, uniform_crossover
from ._optimizer import GeneticOptimizer
from ._policy import MAX_GENERATIONS, MAX_POPULATION, BreedingPolicy
from ._space import MAX_TRAITS, Genome, Space, generation_rng, genome_hash, unique_by_genome
from ._trait_specs import NAME_PATTERN, trait_from_spec
from ._traits import (
    TRAIT_TYPES,
    BoolTrait,
    ChoiceTrait,
    FloatTrait,
    GeometricFloatTrait,
    GeometricIntTrait,
    IntTrait,
    Trait,
    is_number,
)

__all__ = [
    "FROM_FIRST",
    "FROM_SECOND",
    "IMMIGRANT",
    "MAX_GENERATIONS",
    "MAX_POPULATION",
    "MAX_TRAITS",
    "MUTATED",
    "NAME_PATTERN",
    "OFFSPRING",
    "RANDOM",
    "TRAIT_TYPES",
    "BoolTrait",
    "BreedingPolicy",
    "ChoiceTrait",
    "ErrorCollector",
    "FloatTrait",
    "GeneticOptimizer",
    "Genome",
    "GeometricFloatTrait",
    "GeometricIntTrait",
    "Individual",
    "IntTrait",
    "Key",
    "Proposal",
    "Space",
    "SpecError",
    "Trait",
    "generation_rng",
    "genome_hash",
    "is_number",
    "pair_at_random",
    "propose_generation",
    "rank",
    "redraw_mutation",
    "reference_parent_pool",
    "trait_from_spec",
    "uniform_crossover",
    "unique_by_genome",
]
