"""Surrogate-assisted breeding (``ga.strategy: "surrogate"``): breed many, train the most promising.

Each later generation, the parents (the policy's pool, as the genetic algorithm picks
it) breed ``BROOD`` times more children than the search will train, with refining
operators: a blend crossover on each trait's own scale, snapped to its grid, then a
small local mutation, then the policy's redraw mutation. A random forest (scikit-learn's
``ExtraTreesRegressor``) is fitted to every result the search has; it rates each new
child by an upper confidence bound (the trees' mean prediction plus their spread), and the
``population`` children it rates highest are trained.
Some places go to fresh random genomes rated the same way, so that the forest's blind
spots still get looked at.

No evaluation is spent to rate a child: the forest costs milliseconds where a candidate
costs minutes of GPU time. Its randomness comes from the generation's random stream, so
the same search bred again is the same.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor

from ._breeding import OFFSPRING, RANDOM, Individual, ParentPool, Proposal, random_proposals, reference_parent_pool
from ._fidelity import fit_minimum, highest_rung
from ._novelty import Novelty
from ._operators import MUTATED, pair_at_random, redraw_mutation
from ._policy import BreedingPolicy
from ._space import Genome, Space, generation_rng, genome_hash
from ._traits import Trait

# Children bred per child trained, and the share of the brood drawn at random instead.
BROOD = 20
RANDOM_SHARE = 0.1
# The blend crossover's reach beyond its parents, and the local mutation's rate and step,
# all on each trait's own [0, 1] scale (log scale for geometric traits).
BLEND_ALPHA = 0.3
LOCAL_RATE = 0.2
LOCAL_STEP = 0.1
TREES = 100
# How far the score leans towards where the forest is unsure (mean + KAPPA * spread).
KAPPA = 1.0
# The most results the forest is fitted to (the best half of them, and a random draw of the
# rest): fitting grows with the rows, and a days-long search may have a hundred thousand.
MAX_FIT_ROWS = 4000


def propose_surrogate(
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
    immigrants: Sequence[Individual] = (),
    parent_pool: ParentPool = reference_parent_pool,
    pairing: Callable = pair_at_random,
    **_unused: Any,
) -> list[Proposal]:
    """``count`` (default: ``population``) new genomes: the brood's best by their optimistic score."""
    count = policy.population if count is None else count
    rng = generation_rng(seed, number) if rng is None else rng
    novelty = Novelty(space, taken)  # a rated brood never needs a genome the search has
    if number == 0 or not history:
        return random_proposals(space, count, number=number, rng=rng, novelty=novelty, first_index=first_index)

    # Immigrants: the random share of the brood plays their part (fresh genes, rated before training).
    pool = parent_pool(previous=previous, history=history, policy=policy)
    pairs = pairing(pool, rng)
    brood: list[tuple[Genome, tuple, dict[str, str]]] = []
    seen: set[str] = set()
    for index in range(BROOD * count):
        if rng.random() < RANDOM_SHARE:
            genome, parents, inheritance = space.sample(rng), (), {}
        else:
            first, second = pairs[index % len(pairs)]
            genome, inheritance = blend_crossover(first.genome, second.genome, space, rng)
            genome, moved = local_mutation(genome, space, LOCAL_RATE, rng)
            genome, redrawn = redraw_mutation(genome, space, policy.mutation_rate, rng)
            inheritance = {**inheritance, **dict.fromkeys([*moved, *redrawn], MUTATED)}
            parents = (first.key, second.key)
        digest = genome_hash(genome)
        if novelty.is_new(genome) and digest not in seen:
            seen.add(digest)
            brood.append((genome, parents, inheritance))

    # With early stopping, the model sees one budget's results: the highest that has enough.
    fitted = _fit_rows(highest_rung(history, minimum=fit_minimum(len(space.names))), rng)
    scores = optimistic_scores(space, fitted, [genome for genome, _, _ in brood], seed=rng.randrange(2**31))
    ranked = sorted(range(len(brood)), key=lambda i: -scores[i])
    proposals = []
    for index, chosen in enumerate(ranked[:count], start=first_index):
        genome, parents, inheritance = brood[chosen]
        novelty.take(genome)
        origin = OFFSPRING if parents else RANDOM
        proposals.append(Proposal((number, index), genome, origin, parents, inheritance))
    # A brood too small (a nearly exhausted space) is topped up with new random genomes.
    return proposals + random_proposals(
        space, count - len(proposals), number=number, rng=rng, novelty=novelty, first_index=first_index + len(proposals)
    )


def _fit_rows(history: Sequence[Individual], rng: random.Random) -> Sequence[Individual]:
    if len(history) <= MAX_FIT_ROWS:
        return history
    ranked = sorted(history, key=lambda ind: (-ind.fitness, ind.key))
    half = MAX_FIT_ROWS // 2
    return ranked[:half] + rng.sample(ranked[half:], MAX_FIT_ROWS - half)


def blend_crossover(
    first: Mapping[str, Any], second: Mapping[str, Any], space: Space, rng: random.Random
) -> tuple[Genome, dict[str, str]]:
    """Each numeric trait drawn uniformly between its parents' positions, reaching ``BLEND_ALPHA``
    of their distance beyond them (BLX-alpha), on the trait's own scale, snapped to its grid;
    each bool or choice from one parent or the other. Uses one ``rng.random()`` per trait.

    The inheritance records the nearer parent for a blended trait.
    """
    child: Genome = {}
    sources: dict[str, str] = {}
    for trait in space:
        a, b = first[trait.name], second[trait.name]
        u = rng.random()
        if trait.kind in ("bool", "choice"):
            child[trait.name], sources[trait.name] = (a, "a") if u < 0.5 else (b, "b")
            continue
        pa, pb = trait.position(a), trait.position(b)
        low, high = min(pa, pb), max(pa, pb)
        reach = BLEND_ALPHA * (high - low)
        position = low - reach + u * (high - low + 2 * reach)
        child[trait.name] = trait.value_at(min(max(position, 0.0), 1.0))
        sources[trait.name] = (
            "a" if abs(trait.position(child[trait.name]) - pa) <= abs(trait.position(child[trait.name]) - pb) else "b"
        )
    return child, sources


def local_mutation(
    genome: Mapping[str, Any], space: Space, rate: float, rng: random.Random
) -> tuple[Genome, list[str]]:
    """Each trait, with probability ``rate``, moved a little: a numeric trait by a normal step
    of ``LOCAL_STEP`` on its own scale (at least one grid step), a bool flipped, a choice
    redrawn. Uses one ``rng.random()`` per trait, and one more draw for each that moves."""
    moved: Genome = dict(genome)
    names = []
    for trait in space:
        if rng.random() >= rate:
            continue
        value = genome[trait.name]
        if trait.kind == "bool":
            moved[trait.name] = not value
        elif trait.kind == "choice":
            moved[trait.name] = trait.sample(rng)
        else:
            moved[trait.name] = _nudge(trait, value, rng)
        names.append(trait.name)
    return moved, names


def _nudge(trait: Trait, value: Any, rng: random.Random) -> Any:
    grid = trait.grid()
    if grid is not None and len(grid) <= 1 / LOCAL_STEP:
        # A coarse grid: one step up or down (a step of 0.1 would mostly stay put).
        index = grid.index(value) + (1 if rng.random() < 0.5 else -1)
        return grid[min(max(index, 0), len(grid) - 1)]
    position = trait.position(value) + rng.gauss(0.0, LOCAL_STEP)
    return trait.value_at(min(max(position, 0.0), 1.0))


def features(space: Space, genomes: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Genomes as rows of numbers for the forest: each numeric trait's position on its own scale,
    a bool as 0 or 1, a choice as one column per value (one-hot)."""
    columns = []
    for trait in space:
        if trait.kind == "choice":
            for choice in trait.choices:
                columns.append([1.0 if type(g[trait.name]) is type(choice) and g[trait.name] == choice else 0.0
                                for g in genomes])  # fmt: skip
        else:
            columns.append([trait.position(g[trait.name]) for g in genomes])
    return np.asarray(columns, dtype=float).T


def optimistic_scores(
    space: Space, history: Sequence[Individual], genomes: Sequence[Mapping[str, Any]], *, seed: int
) -> list[float]:
    """Each genome's predicted fitness plus ``KAPPA`` times the spread of the trees' predictions.

    The forest is fitted to ``history``. The spread is large where the search has looked
    little, so the score leans towards such places without ignoring the prediction: an
    upper confidence bound, which worked better here than the expected improvement (that
    one chased the spread, and converged later on every landscape of the bake-off).
    """
    if not genomes:
        return []
    forest = ExtraTreesRegressor(n_estimators=TREES, min_samples_leaf=2, random_state=seed)
    forest.fit(features(space, [ind.genome for ind in history]), [ind.fitness for ind in history])
    x = features(space, genomes)
    per_tree = np.stack([tree.predict(x) for tree in forest.estimators_])
    return list(per_tree.mean(axis=0) + KAPPA * per_tree.std(axis=0))
