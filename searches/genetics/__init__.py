"""The genetic algorithm, in pure Python.

It imports nothing from Django, Celery or TensorFlow: it proposes genomes and is
told their fitness, and knows nothing of how or where they are evaluated.
"""

from __future__ import annotations

from ._breeding import (
    IMMIGRANT,
    OFFSPRING,
    RANDOM,
    SEEDED,
    Individual,
    Key,
    Proposal,
    propose_generation,
    random_proposals,
    rank,
    reference_parent_pool,
)
from ._errors import ErrorCollector, SpecError
from ._importance import (
    IMPORTANCE_MIN_CANDIDATES,
    importance_over_generations,
    importance_sample,
    trait_importance,
)
from ._novelty import Novelty
from ._operators import FROM_FIRST, FROM_SECOND, MUTATED, pair_at_random, redraw_mutation, uniform_crossover
from ._optimizer import GeneticOptimizer, SteadyStateOptimizer
from ._pareto import crowding_distances, dominates, nsga_order, pareto_ranks
from ._policy import DUPLICATES, MAX_GENERATIONS, MAX_POPULATION, MODES, STRATEGIES, BreedingPolicy
from ._registry import GROUP as STRATEGY_GROUP
from ._space import MAX_TRAITS, Genome, Space, birth_rng, generation_rng, genome_hash, unique_by_genome
from ._steady import cohort_immigrants, propose_birth
from ._stopping import RULES, StoppingRule
from ._strategies import STRATEGY_HELP, Strategy, propose, proposer, seeded_proposals, strategy_help
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
    "DUPLICATES",
    "FROM_FIRST",
    "FROM_SECOND",
    "IMMIGRANT",
    "IMPORTANCE_MIN_CANDIDATES",
    "MAX_GENERATIONS",
    "MAX_POPULATION",
    "MAX_TRAITS",
    "MODES",
    "MUTATED",
    "NAME_PATTERN",
    "OFFSPRING",
    "RANDOM",
    "RULES",
    "SEEDED",
    "STRATEGIES",
    "STRATEGY_GROUP",
    "STRATEGY_HELP",
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
    "Novelty",
    "Proposal",
    "Space",
    "SpecError",
    "SteadyStateOptimizer",
    "StoppingRule",
    "Strategy",
    "Trait",
    "birth_rng",
    "cohort_immigrants",
    "crowding_distances",
    "dominates",
    "generation_rng",
    "genome_hash",
    "importance_over_generations",
    "importance_sample",
    "is_number",
    "nsga_order",
    "pair_at_random",
    "pareto_ranks",
    "propose",
    "propose_birth",
    "propose_generation",
    "proposer",
    "random_proposals",
    "rank",
    "redraw_mutation",
    "reference_parent_pool",
    "seeded_proposals",
    "strategy_help",
    "trait_from_spec",
    "trait_importance",
    "uniform_crossover",
    "unique_by_genome",
]
