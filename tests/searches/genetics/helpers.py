from __future__ import annotations

import random

from searches.genetics import Individual, Space
from searches.spec.presets import REFERENCE_TRAITS


def reference_space() -> Space:
    return Space.from_spec(REFERENCE_TRAITS)


def random_history(space: Space, generations: int, population: int, seed: int = 0) -> list[Individual]:
    """Individuals with random genomes and distinct random fitnesses."""
    rng = random.Random(seed)
    return [
        Individual(key=(g, i), genome=space.sample(rng), fitness=rng.random())
        for g in range(generations)
        for i in range(population)
    ]
