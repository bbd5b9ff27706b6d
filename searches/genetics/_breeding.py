"""The reference breeding policy: who becomes a parent, and how a generation is proposed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._operators import MUTATED, pair_at_random, redraw_mutation, uniform_crossover
from ._policy import BreedingPolicy
from ._space import Genome, Space, generation_rng, unique_by_genome

# An entity's place in a search: (generation number, index within the generation).
Key = tuple[int, int]

RANDOM = "random"
OFFSPRING = "offspring"
IMMIGRANT = "immigrant"


@dataclass(frozen=True)
class Individual:
    """A genome whose fitness is known. A failed candidate is told with fitness 0."""

    key: Key
    genome: Mapping[str, Any]
    fitness: float


@dataclass(frozen=True)
class Proposal:
    """A genome the algorithm wants in a generation.

    ``parents`` are the keys of the two parents of an offspring (the same key
    twice when a lone parent was paired with itself). ``inheritance`` says, per
    trait, ``"a"`` or ``"b"`` (the parent it came from) or ``"mutated"``.
    Immigrants are parents only: ``evaluate`` is False for them.
    """

    key: Key
    genome: Genome
    origin: str
    parents: tuple[Key, ...] = ()
    inheritance: Mapping[str, str] = field(default_factory=dict)

    @property
    def evaluate(self) -> bool:
        return self.origin != IMMIGRANT


def rank(individuals: Sequence[Individual]) -> list[Individual]:
    """Best first; equal fitness is broken by age (earlier generation, then lower index)."""
    return sorted(individuals, key=lambda ind: (-ind.fitness, ind.key))


def reference_parent_pool(
    *, previous: Sequence[Individual], history: Sequence[Individual], policy: BreedingPolicy
) -> list[Individual]:
    """The top ``elite_previous`` of the previous generation and the top ``elite_all_time`` of all.

    Both lists count distinct genomes (a cached copy of a genome is the same
    candidate). An entity in both lists is one parent, counted once: the pool is
    their union, so it holds between max(elite_previous, elite_all_time) and their
    sum. Counting such an entity twice would double its share of the matings and
    narrow the population faster than the reference's 5% mutation can widen it.
    """
    top_previous = unique_by_genome(rank(previous))[: policy.elite_previous]
    top_all_time = unique_by_genome(rank(history))[: policy.elite_all_time]
    return unique_by_genome(top_previous + top_all_time)


ParentPool = Callable[..., list[Individual]]


def propose_generation(
    space: Space,
    policy: BreedingPolicy,
    *,
    seed: int,
    number: int,
    previous: Sequence[Individual] = (),
    history: Sequence[Individual] = (),
    parent_pool: ParentPool = reference_parent_pool,
    pairing: Callable = pair_at_random,
    crossover: Callable = uniform_crossover,
    mutation: Callable = redraw_mutation,
) -> list[Proposal]:
    """The genomes of generation ``number``.

    Generation 0 is ``population`` random genomes, and so is every generation of the
    ``random`` strategy. A later generation of the ``genetic`` strategy draws
    ``immigrants`` random genomes, adds them to the parent pool, pairs the pool at
    random, and lets the pairs take turns, one child per turn, until there are
    ``population`` offspring; each child is a crossover of its pair, then mutated.

    Immigrants are recorded (with keys after the offspring's) but not evaluated:
    like the reference, they bring fresh genes into the pool, and their genes are
    judged through their offspring, which costs no extra training.

    All randomness comes from ``generation_rng(seed, number)``, so the same inputs
    give the same generation.
    """
    rng = generation_rng(seed, number)
    if number == 0 or policy.strategy == "random":
        return [Proposal(key=(number, i), genome=space.sample(rng), origin=RANDOM) for i in range(policy.population)]

    elites = parent_pool(previous=previous, history=history, policy=policy)
    immigrants = [
        Proposal(key=(number, policy.population + j), genome=space.sample(rng), origin=IMMIGRANT)
        for j in range(policy.immigrants)
    ]
    pairs = pairing([*elites, *immigrants], rng)
    offspring = []
    for index in range(policy.population):
        first, second = pairs[index % len(pairs)]
        child, sources = crossover(first.genome, second.genome, space, rng)
        child, redrawn = mutation(child, space, policy.mutation_rate, rng)
        inheritance = {name: (MUTATED if name in redrawn else source) for name, source in sources.items()}
        offspring.append(
            Proposal(
                key=(number, index),
                genome=child,
                origin=OFFSPRING,
                parents=(first.key, second.key),
                inheritance=inheritance,
            )
        )
    return offspring + immigrants
