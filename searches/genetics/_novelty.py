"""Keeping proposals new: no evaluation is spent on a genome the search already has.

A search's genomes (trained, failed, queued or proposed earlier in the same
generation) are known by their hashes. A strategy asks ``Novelty`` whether a genome
is new, and, when its own ways of making one keep giving known genomes, for a new
random one: first by drawing from the space, then, when the space is nearly
exhausted and draws keep missing, by listing the genomes it has left.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Collection, Mapping
from typing import Any

from ._space import Genome, Space, genome_hash

# How many times a strategy breeds (or asks) again before it takes stronger measures.
REBREED_TRIES = 10
# Random draws before the genomes left are listed (only a nearly exhausted space gets there).
RANDOM_TRIES = 200
# The largest space whose unused genomes are listed; beyond it, 200 missed draws mean it is
# full to better than 1 - 1e-3 or so, and the search says it is exhausted.
LIST_UP_TO = 2_000_000


class Novelty:
    """The genomes a search already has (by hash), and new random genomes for it.

    ``taken`` is any sized container of hashes: a set, or one that asks the database, so
    that a search of a hundred thousand candidates need not load them all for one birth.
    It is never changed: the genomes taken here are kept apart.
    """

    def __init__(self, space: Space, taken: Collection[str] = ()):
        self.space = space
        self.taken = taken
        self.added: set[str] = set()

    def is_new(self, genome: Mapping[str, Any]) -> bool:
        digest = genome_hash(genome)
        return digest not in self.added and digest not in self.taken

    def take(self, genome: Mapping[str, Any]) -> None:
        self.added.add(genome_hash(genome))

    @property
    def left(self) -> int | None:
        """How many genomes the space has that the search has not (None: unbounded)."""
        combinations = self.space.combinations
        return None if combinations is None else max(combinations - len(self.taken) - len(self.added), 0)

    def random_new(self, rng: random.Random) -> Genome | None:
        """A random genome the search does not have; None when the space has none left.

        Draws from the space's own distribution while that finds new genomes; in a nearly
        exhausted discrete space, picks uniformly among the genomes left.
        """
        if self.left == 0:
            return None
        for _ in range(RANDOM_TRIES):
            genome = self.space.sample(rng)
            if self.is_new(genome):
                return genome
        combinations = self.space.combinations
        if combinations is None or combinations > LIST_UP_TO:
            return None
        names = self.space.names
        unused = [
            genome
            for values in itertools.product(*(trait.grid() for trait in self.space))
            if self.is_new(genome := dict(zip(names, values, strict=True)))
        ]
        return rng.choice(unused) if unused else None
