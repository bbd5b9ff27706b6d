"""The strategies a search may use, by name: each proposes a generation from the search's history.

Every strategy has the same signature (keyword-only: space, policy, seed, number,
previous, history, taken, pending, count) and keeps no state of its own: all it knows
comes from its arguments, so a restart or another machine proposes the same genomes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from ._policy import STRATEGIES

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
    """The proposals of ``policy.strategy`` for one generation (see each strategy for ``context``)."""
    return proposer(policy.strategy)(space, policy, **context)


assert set(PROPOSERS) == set(STRATEGIES) == set(STRATEGY_HELP), "every strategy the policy allows has a proposer"
