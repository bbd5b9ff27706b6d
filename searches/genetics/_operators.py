"""Variation operators: each a short function that takes the random generator it uses.

They are injected into ``propose_generation`` as keyword arguments, so that a
different crossover or mutation is one argument away.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from ._space import Genome, Space

T = TypeVar("T")

# What ``inheritance`` records for each trait of an offspring.
FROM_FIRST = "a"
FROM_SECOND = "b"
MUTATED = "mutated"


def uniform_crossover(
    first: Mapping[str, Any], second: Mapping[str, Any], space: Space, rng: random.Random
) -> tuple[Genome, dict[str, str]]:
    """Each trait from one parent or the other with equal probability.

    Draws one ``rng.random()`` per trait, in trait order. Returns the child and,
    per trait, which parent gave it (``"a"`` for ``first``, ``"b"`` for ``second``).
    """
    child: Genome = {}
    sources: dict[str, str] = {}
    for name in space.names:
        if rng.random() < 0.5:
            child[name], sources[name] = first[name], FROM_FIRST
        else:
            child[name], sources[name] = second[name], FROM_SECOND
    return child, sources


def redraw_mutation(
    genome: Mapping[str, Any], space: Space, rate: float, rng: random.Random
) -> tuple[Genome, list[str]]:
    """Each trait, with probability ``rate``, redrawn from its own distribution.

    Draws one ``rng.random()`` per trait in trait order, then the trait's sample
    for each trait that mutates. A redraw may give the old value again. Returns the
    new genome and the names of the traits that were redrawn.
    """
    mutated = dict(genome)
    redrawn = []
    for trait in space:
        if rng.random() < rate:
            mutated[trait.name] = trait.sample(rng)
            redrawn.append(trait.name)
    return mutated, redrawn


def pair_at_random(parents: Sequence[T], rng: random.Random) -> list[tuple[T, T]]:
    """Shuffle the parents and pair them off two by two.

    With an odd number, the last one is paired with another drawn at random; a
    lone parent is paired with itself. Uses ``rng.shuffle`` and, for an odd
    number, one ``rng.randrange``.
    """
    if not parents:
        raise ValueError("no parents to pair")
    if len(parents) == 1:
        return [(parents[0], parents[0])]
    shuffled = list(parents)
    rng.shuffle(shuffled)
    pairs = [(shuffled[i], shuffled[i + 1]) for i in range(0, len(shuffled) - 1, 2)]
    if len(shuffled) % 2:
        pairs.append((shuffled[-1], shuffled[rng.randrange(len(shuffled) - 1)]))
    return pairs
