"""The reference breeding policy: who becomes a parent, and how a generation is proposed."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._novelty import REBREED_TRIES, Novelty
from ._operators import MUTATED, pair_at_random, redraw_mutation, uniform_crossover
from ._pareto import nsga_order
from ._policy import BreedingPolicy
from ._space import Genome, Space, generation_rng, unique_by_genome

# An entity's place in a search: (generation number, index within the generation).
Key = tuple[int, int]

RANDOM = "random"
OFFSPRING = "offspring"
IMMIGRANT = "immigrant"
# A genome of the spec's ``ga.seed_genomes``, placed in generation 0.
SEEDED = "seeded"


@dataclass(frozen=True)
class Individual:
    """A genome whose fitness is known. A failed candidate is told with fitness 0.

    Where early stopping ran, ``stopped`` says the fitness is from fewer epochs than the others'
    and ``rungs`` holds ``(epoch, fitness then)`` at the rungs it reached below the last epoch,
    so that a model of the search can compare like with like (``highest_rung``).

    With several objectives (the spec's ``fitness.objectives``), ``objectives`` holds its value
    of each, every one oriented to be maximised, and ``rank`` follows NSGA-II.
    """

    key: Key
    genome: Mapping[str, Any]
    fitness: float
    stopped: bool = False
    rungs: tuple[tuple[int, float], ...] = ()
    objectives: tuple[float, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """A genome the algorithm wants in a generation.

    ``parents`` are the keys of the two parents of an offspring (the same key
    twice when a lone parent was paired with itself). ``inheritance`` says, per
    trait, ``"a"`` or ``"b"`` (the parent it came from) or ``"mutated"``.
    Immigrants are parents only: ``evaluate`` is False for them. ``rebreeds`` counts
    the children bred (or genomes asked for) before this one, because they were not new.
    """

    key: Key
    genome: Genome
    origin: str
    parents: tuple[Key, ...] = ()
    inheritance: Mapping[str, str] = field(default_factory=dict)
    rebreeds: int = 0

    @property
    def evaluate(self) -> bool:
        return self.origin != IMMIGRANT


def rank(individuals: Sequence[Individual]) -> list[Individual]:
    """Best first; equal fitness is broken by age (earlier generation, then lower index).

    With several objectives, NSGA-II's order: the Pareto front first, then the next, and within a
    front the larger crowding distance first (the front's ends, then the points with most room);
    then fitness and age."""
    if individuals and individuals[0].objectives:
        order = nsga_order([ind.objectives for ind in individuals])
        keyed = sorted(
            range(len(individuals)),
            key=lambda i: (order[i][0], -order[i][1], -individuals[i].fitness, individuals[i].key),
        )
        return [individuals[i] for i in keyed]
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
    taken: Collection[str] = (),
    count: int | None = None,
    first_index: int = 0,
    rng: random.Random | None = None,
    immigrants: Sequence[Individual] | None = None,
    parent_pool: ParentPool = reference_parent_pool,
    pairing: Callable = pair_at_random,
    crossover: Callable = uniform_crossover,
    mutation: Callable = redraw_mutation,
    **_unused: Any,
) -> list[Proposal]:
    """The genomes of generation ``number`` (the ``genetic`` and ``random`` strategies).

    Generation 0 is ``population`` random genomes, and so is every generation of the
    ``random`` strategy. A later generation of the ``genetic`` strategy draws
    ``immigrants`` random genomes, adds them to the parent pool, pairs the pool at
    random, and lets the pairs take turns, one child per turn, until there are
    ``population`` offspring; each child is a crossover of its pair, then mutated.

    Immigrants are recorded (with keys after the offspring's) but not evaluated:
    like the reference, they bring fresh genes into the pool, and their genes are
    judged through their offspring, which costs no extra training.

    With ``duplicates: "rebreed"`` every proposal is new to the search: ``taken`` holds
    the hashes of the genomes it already has, and a child already there is bred again
    by its pair (see ``_new_child``). A generation may then be smaller than
    ``population`` only when the space has no new genome left. With ``"cache"`` a
    duplicate is proposed as the reference did, and the search caches its result.

    All randomness comes from ``generation_rng(seed, number)``, so the same inputs
    give the same generation.

    A steady-state search asks for ``count`` children at a time (indices from
    ``first_index`` in generation ``number``), with a random stream of each birth's own
    (``rng``) and the immigrants already drawn for this generation (``immigrants``).
    """
    rng = generation_rng(seed, number) if rng is None else rng
    count = policy.population if count is None else count
    novelty = Novelty(space, taken) if policy.duplicates == "rebreed" else None
    if number == 0 or policy.strategy == "random":
        return random_proposals(space, count, number=number, rng=rng, novelty=novelty, first_index=first_index)

    elites = parent_pool(previous=previous, history=history, policy=policy)
    drawn = []
    if immigrants is None:
        drawn = [
            Proposal(key=(number, policy.population + j), genome=space.sample(rng), origin=IMMIGRANT)
            for j in range(policy.immigrants)
        ]
        immigrants = drawn
    parents = [*elites, *immigrants]
    if not parents:
        # Nothing has ended and there are no immigrants (``immigrants: 0``): there is nobody to
        # breed from, so the children are random, as generation 0's are.
        return random_proposals(space, count, number=number, rng=rng, novelty=novelty, first_index=first_index)
    pairs = pairing(parents, rng)

    def breed(first, second) -> tuple[Genome, dict[str, str]]:
        child, sources = crossover(first.genome, second.genome, space, rng)
        child, redrawn = mutation(child, space, policy.mutation_rate, rng)
        return child, {name: (MUTATED if name in redrawn else source) for name, source in sources.items()}

    offspring = []
    for index in range(first_index, first_index + count):
        first, second = pairs[index % len(pairs)]
        key = (number, index)
        child, inheritance = breed(first, second)
        if novelty is None:
            offspring.append(Proposal(key, child, OFFSPRING, (first.key, second.key), inheritance))
            continue
        proposal = _new_child(key, (first, second), (child, inheritance), breed, novelty, space, rng)
        if proposal is None:
            break  # the space has no new genome left
        novelty.take(proposal.genome)
        offspring.append(proposal)
    return offspring + drawn


def random_proposals(
    space: Space, count: int, *, number: int, rng, novelty: Novelty | None, first_index: int = 0
) -> list[Proposal]:
    """``count`` random genomes (new ones, where ``novelty`` is given: fewer if the space runs out)."""
    proposals = []
    for index in range(first_index, first_index + count):
        genome = space.sample(rng) if novelty is None else novelty.random_new(rng)
        if genome is None:
            break
        if novelty is not None:
            novelty.take(genome)
        proposals.append(Proposal(key=(number, index), genome=genome, origin=RANDOM))
    return proposals


def _new_child(key: Key, pair, bred, breed, novelty: Novelty, space: Space, rng) -> Proposal | None:
    """A child new to the search, by the pair that was to breed it; or a new random genome.

    The pair breeds again, from the same generation's random stream, up to
    ``REBREED_TRIES`` times. Then the last child is mutated in more and more traits
    (each redrawn from its distribution). Then a new random genome is drawn, with no
    parents. None when the space has no new genome left.
    """
    first, second = pair
    child, inheritance = bred
    rebreeds = 0
    while not novelty.is_new(child) and rebreeds < REBREED_TRIES:
        rebreeds += 1
        child, inheritance = breed(first, second)
    if novelty.is_new(child):
        return Proposal(key, child, OFFSPRING, (first.key, second.key), inheritance, rebreeds)
    names = space.names
    for extra in range(1, len(names) + 1):
        for _ in range(REBREED_TRIES):
            rebreeds += 1
            redrawn = rng.sample(names, extra)
            mutated = {**child, **{name: space[name].sample(rng) for name in redrawn}}
            if novelty.is_new(mutated):
                marks = {**inheritance, **dict.fromkeys(redrawn, MUTATED)}
                return Proposal(key, mutated, OFFSPRING, (first.key, second.key), marks, rebreeds)
    genome = novelty.random_new(rng)
    if genome is None:
        return None
    return Proposal(key, genome, RANDOM, rebreeds=rebreeds + 1)
