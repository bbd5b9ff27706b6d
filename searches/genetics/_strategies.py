"""The strategies a search may use, by name: each proposes a generation from the search's history.

Every strategy has the same signature (keyword-only: space, policy, seed, number,
previous, history, taken, pending, count) and keeps no state of its own: all it knows
comes from its arguments, so a restart or another machine proposes the same genomes.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Collection
from functools import cache

from ._breeding import SEEDED, Proposal
from ._policy import STRATEGIES
from ._space import Space, genome_hash

# One line each, for the form and the README.
STRATEGY_HELP = {
    "genetic": "the reference genetic algorithm: the top of the last generation and of all time breed the next",
    "random": "every generation drawn at random: the baseline any strategy must beat",
    "tpe": "Bayesian optimisation with Optuna's TPE sampler (multivariate, constant liar), rebuilt from the history",
    "surrogate": "recommended: the genetic algorithm breeds 20 times more children than it trains; a random "
    "forest fitted to the search picks the most promising ones (ahead of TPE in the bake-off)",
}

Strategy = Callable[..., list]

# Where each strategy's proposer lives. Loaded on first use: Optuna and scikit-learn take
# seconds to import, which every process that only reads specs (the web server, manage.py
# commands) would pay for nothing.
PROPOSERS: dict[str, str] = {
    "genetic": "._breeding:propose_generation",
    "random": "._breeding:propose_generation",
    "tpe": "._tpe:propose_tpe",
    "surrogate": "._surrogate:propose_surrogate",
}


@cache
def proposer(strategy: str) -> Strategy:
    module, name = PROPOSERS[strategy].split(":")
    return getattr(importlib.import_module(module, __package__), name)


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


assert set(PROPOSERS) == set(STRATEGIES) == set(STRATEGY_HELP), "every strategy the policy allows has a proposer"
