from __future__ import annotations

import math
from typing import Any

from ._breeding import Individual, Key, Proposal, rank
from ._policy import BreedingPolicy
from ._space import Space, genome_hash
from ._steady import cohort_immigrants, propose_birth
from ._strategies import propose


class GeneticOptimizer:
    """A search in ask/tell form, held in memory, with any strategy the policy names.

    ``ask()`` proposes the next generation; ``tell(key, fitness)`` reports one
    candidate's fitness. The optimizer never evaluates anything itself. gaweb's
    services keep the same state in the database and call ``propose`` directly; this
    class is for scripts, notebooks and benchmarks.

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
        self._taken: set[str] = set()  # every genome proposed to be evaluated, so far
        self._exhausted = False  # the space had no new genome left to propose

    @property
    def generation(self) -> int:
        """The number of the generation last asked for (-1 before the first ask)."""
        return self._generation

    @property
    def finished(self) -> bool:
        last = self._exhausted or self._generation + 1 >= self.policy.generations
        return last and not self._waiting

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
        proposals = propose(
            self.space,
            self.policy,
            seed=self.seed,
            number=number,
            previous=[ind for ind in self._history if ind.key[0] == number - 1],
            history=self._history,
            taken=self._taken,
            **self._operators,
        )
        self._generation = number
        self._waiting = {p.key: p for p in proposals if p.evaluate}
        self._exhausted = len(self._waiting) < self.policy.population
        self._taken.update(genome_hash(p.genome) for p in proposals if p.evaluate)
        return proposals

    def tell(self, key: Key, fitness: float) -> None:
        if key not in self._waiting:
            raise KeyError(f"{key} is not a candidate waiting for its fitness")
        if isinstance(fitness, bool) or not isinstance(fitness, (int, float)) or not math.isfinite(fitness):
            raise ValueError(f"fitness must be a finite number, got {fitness!r}")
        proposal = self._waiting.pop(key)
        self._history.append(Individual(key=key, genome=proposal.genome, fitness=float(fitness)))


class SteadyStateOptimizer:
    """A steady-state search (``mode: "steady_state"``) in ask/tell form, held in memory.

    ``ask()`` proposes one new candidate (a birth) whenever the caller has a worker free;
    ``tell(key, fitness)`` reports one. Any number may be asked before any is told: each
    birth is bred from what has been told so far, in the order it was told, as a search's
    services do. Scripts and benchmarks use it to run a search one candidate at a time.
    """

    def __init__(self, space: Space, policy: BreedingPolicy | None = None, *, seed: int):
        self.space = space
        self.policy = policy or BreedingPolicy(mode="steady_state")
        self.seed = seed
        self.births = 0
        self.budget = self.policy.population * self.policy.generations
        self._history: list[Individual] = []
        self._waiting: dict[Key, Proposal] = {}
        self._taken: set[str] = set()
        self._immigrants: dict[int, list[Proposal]] = {}
        self._exhausted = False

    @property
    def finished(self) -> bool:
        return (self._exhausted or self.births >= self.budget) and not self._waiting

    @property
    def can_ask(self) -> bool:
        return not self._exhausted and self.births < self.budget

    @property
    def history(self) -> list[Individual]:
        return list(self._history)

    @property
    def best(self) -> Individual | None:
        ranked = rank(self._history)
        return ranked[0] if ranked else None

    def ask(self) -> Proposal | None:
        """The next birth; None when the budget is spent or the space has no new genome left."""
        if not self.can_ask:
            return None
        number = self.births // self.policy.population
        if number not in self._immigrants:
            self._immigrants[number] = cohort_immigrants(self.space, self.policy, seed=self.seed, number=number)
        proposal = propose_birth(
            self.space, self.policy, seed=self.seed, birth=self.births, history=self._history, taken=self._taken,
            pending=[p.genome for p in self._waiting.values()], immigrants=self._immigrants[number],
        )  # fmt: skip
        if proposal is None:
            self._exhausted = True
            return None
        self.births += 1
        self._taken.add(genome_hash(proposal.genome))
        self._waiting[proposal.key] = proposal
        return proposal

    def tell(self, key: Key, fitness: float) -> None:
        if key not in self._waiting:
            raise KeyError(f"{key} is not a candidate waiting for its fitness")
        if isinstance(fitness, bool) or not isinstance(fitness, (int, float)) or not math.isfinite(fitness):
            raise ValueError(f"fitness must be a finite number, got {fitness!r}")
        proposal = self._waiting.pop(key)
        self._history.append(Individual(key=key, genome=proposal.genome, fitness=float(fitness)))
