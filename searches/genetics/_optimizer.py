from __future__ import annotations

import math
from typing import Any

from ._breeding import Individual, Key, Proposal, propose_generation, rank
from ._policy import BreedingPolicy
from ._space import Space


class GeneticOptimizer:
    """The genetic algorithm in ask/tell form, held in memory.

    ``ask()`` proposes the next generation; ``tell(key, fitness)`` reports one
    candidate's fitness. The optimizer never evaluates anything itself. gaweb's
    services keep the same state in the database and call ``propose_generation``
    directly; this class is for scripts, notebooks and benchmarks.

    Operators (``parent_pool``, ``pairing``, ``crossover``, ``mutation``) may be
    passed as keyword arguments, as for ``propose_generation``.
    """

    def __init__(self, space: Space, policy: BreedingPolicy | None = None, *, seed: int, **operators: Any):
        self.space = space
        self.policy = policy or BreedingPolicy()
        self.seed = seed
        self._operators = operators
        self._history: list[Individual] = []
        self._generation = -1
        self._waiting: dict[Key, Proposal] = {}

    @property
    def generation(self) -> int:
        """The number of the generation last asked for (-1 before the first ask)."""
        return self._generation

    @property
    def finished(self) -> bool:
        return self._generation + 1 >= self.policy.generations and not self._waiting

    @property
    def history(self) -> list[Individual]:
        return list(self._history)

    @property
    def best(self) -> Individual | None:
        ranked = rank(self._history)
        return ranked[0] if ranked else None

    def ask(self) -> list[Proposal]:
        if self._waiting:
            raise RuntimeError(f"{len(self._waiting)} candidates of generation {self._generation} have no fitness yet")
        if self.finished:
            raise RuntimeError(f"all {self.policy.generations} generations have been proposed")
        number = self._generation + 1
        proposals = propose_generation(
            self.space,
            self.policy,
            seed=self.seed,
            number=number,
            previous=[ind for ind in self._history if ind.key[0] == number - 1],
            history=self._history,
            **self._operators,
        )
        self._generation = number
        self._waiting = {p.key: p for p in proposals if p.evaluate}
        return proposals

    def tell(self, key: Key, fitness: float) -> None:
        if key not in self._waiting:
            raise KeyError(f"{key} is not a candidate waiting for its fitness")
        if isinstance(fitness, bool) or not isinstance(fitness, (int, float)) or not math.isfinite(fitness):
            raise ValueError(f"fitness must be a finite number, got {fitness!r}")
        proposal = self._waiting.pop(key)
        self._history.append(Individual(key=key, genome=proposal.genome, fitness=float(fitness)))
