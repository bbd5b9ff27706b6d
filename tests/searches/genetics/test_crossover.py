from __future__ import annotations

import random

from searches.genetics import uniform_crossover

from .helpers import reference_space


def test_crossover_takes_every_trait_from_one_parent_or_the_other():
    space = reference_space()
    rng = random.Random(3)
    for _ in range(500):
        first, second = space.sample(rng), space.sample(rng)
        child, sources = uniform_crossover(first, second, space, rng)
        for name in space.names:
            expected = first[name] if sources[name] == "a" else second[name]
            assert child[name] == expected
            assert child[name] in (first[name], second[name])


def test_crossover_takes_about_half_of_the_traits_from_each_parent():
    space = reference_space()
    rng = random.Random(4)
    from_first = total = 0
    for _ in range(1000):
        _, sources = uniform_crossover(space.sample(rng), space.sample(rng), space, rng)
        from_first += sum(source == "a" for source in sources.values())
        total += len(sources)
    assert abs(from_first / total - 0.5) < 0.02
