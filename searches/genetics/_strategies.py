"""The strategies a search may use, by name: each proposes genomes from the search's history.

``Strategy`` says what every strategy is given and what it returns; ``_registry`` finds them
(gaweb's own, and those installed as entry points). A strategy keeps no state of its own: all it
knows comes from its arguments, so a restart or another machine proposes the same genomes.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import Any, Protocol

from . import _registry
from ._breeding import SEEDED, Individual, Proposal
from ._policy import BreedingPolicy
from ._space import Space, genome_hash

# One line each, for the form and the docs: gaweb's own (``strategy_help`` adds the installed).
STRATEGY_HELP = {name: line for name, (_, line) in _registry.BUILT_IN.items()}


class Strategy(Protocol):
    """A strategy: called once per generation (in steady-state mode, once per birth), it returns the
    proposals of that generation, or of the part of it asked for.

    Given, by keyword (a strategy takes ``**context`` for the ones it does not use, and for any
    added later):

    * ``space``, ``policy``: the traits, and the ``ga`` settings (``policy.population`` and, for a
      strategy of its own, anything it reads from them);
    * ``seed`` and ``number``: the search's seed and the generation's number. All randomness comes
      from them (``generation_rng(seed, number)``), or from ``rng`` when given: the same arguments
      must give the same proposals, on any machine, after any restart;
    * ``previous``: the candidates of the last generation that have ended (``Individual``: key,
      genome, fitness, whether it was stopped early and its fitness at each rung); ``history``:
      every candidate of the search that has ended, in the order they ended. The baseline,
      confirmations and final trainings are never among them;
    * ``taken``: the hashes (``genome_hash``) of every genome the search already has. With
      ``policy.duplicates == "rebreed"`` none of them may be proposed again;
    * ``count``: how many to propose (None: ``policy.population``), with keys ``(number,
      first_index + i)``;
    * ``rng``, ``pending``, ``immigrants``: steady-state mode's random stream of the birth, the
      genomes still in training, and the immigrants already drawn for this cohort.

    Returns a list of ``Proposal`` (key, genome with every trait of the space, origin: ``RANDOM`` for a
    genome drawn without parents, ``OFFSPRING`` with ``parents`` for a bred one). Fewer than ``count``
    only when the space has no new genome left.
    """

    def __call__(
        self,
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
        **context: Any,
    ) -> list[Proposal]: ...


def proposer(strategy: str) -> Strategy:
    """The proposer of a strategy, by name (``SpecError`` for one that is not installed here)."""
    return _registry.load(strategy)


def strategy_help() -> dict[str, str]:
    """A line about each strategy a spec may name, the installed ones included (for the form)."""
    return _registry.help_lines()


def propose(space, policy, **context) -> list:
    """The proposals of ``policy.strategy`` for one generation (see each strategy for ``context``).

    Generation 0 begins with the policy's ``seed_genomes``, whatever the strategy: its first
    indices are the seeds, and the strategy proposes the rest, none of them a seed again.
    """
    if context.get("number") != 0 or not policy.seed_genomes:
        return proposer(policy.strategy)(space, policy, **context)
    count = policy.population if context.get("count") is None else context["count"]
    first = context.get("first_index", 0)
    seeds = seeded_proposals(space, policy, seed=context["seed"])
    placed = seeds[first : first + count]
    if len(placed) == count:
        return placed
    taken = _Taken(context.get("taken", ()), {genome_hash(p.genome) for p in seeds})
    rest = {**context, "count": count - len(placed), "first_index": first + len(placed), "taken": taken}
    return placed + proposer(policy.strategy)(space, policy, **rest)


def seeded_proposals(space: Space, policy, *, seed: int) -> list[Proposal]:
    """The policy's seed genomes as generation 0's first proposals, completed from the space.

    A trait a seed does not name is drawn from its distribution, with a random stream of that
    seed's own (``"gaweb:<seed>:seed_genome:<index>"``), so that completing a seed changes no other
    draw of the search and is the same when done again.
    """
    proposals = []
    for index, partial in enumerate(policy.seed_genomes):
        rng = random.Random(f"gaweb:{seed}:seed_genome:{index}")
        genome = {t.name: partial[t.name] if t.name in partial else t.sample(rng) for t in space}
        proposals.append(Proposal(key=(0, index), genome=genome, origin=SEEDED))
    return proposals


class _Taken:
    """The genomes a search has, and the seeds: a random founder is never a seed again."""

    def __init__(self, taken: Collection[str], seeds: set[str]):
        self._taken, self._seeds = taken, seeds

    def __contains__(self, digest: object) -> bool:
        return digest in self._seeds or digest in self._taken

    def __len__(self) -> int:  # a seed already stored (a steady-state search's) counts once
        return len(self._taken) + sum(1 for digest in self._seeds if digest not in self._taken)

    def __iter__(self):
        yield from self._seeds
        yield from self._taken
