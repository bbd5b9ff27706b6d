"""Learning from a multi-fidelity search: compare like with like, as BOHB and DEHB do.

With early stopping, a search's results come from different budgets: a candidate stopped after
one epoch has a fitness from one epoch, its rivals from three. A model fitted to both as if
they were equal learns the short horizon (small networks learn fastest at first) as if it were
the long one. ``highest_rung`` gives a model the results of one budget only: the largest budget
with enough results to fit, every result at that budget (a candidate trained further counts
with its fitness as it was then). Until the last epoch has enough, the lower rungs speak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ._breeding import Individual


def highest_rung(history: Sequence[Individual], *, minimum: int) -> list[Individual]:
    """The results at the largest budget that has at least ``minimum`` of them (BOHB's rule).

    The full budget's are the candidates not stopped (failed ones too, told as 0); a lower
    rung's are every candidate that reached it, each with its fitness at that rung. Where no
    budget has ``minimum``, or no candidate was stopped, the history is returned as it is.
    """
    if not any(ind.stopped for ind in history):
        return list(history)
    full = [ind for ind in history if not ind.stopped]
    if len(full) >= minimum:
        return full
    for rung in sorted({epoch for ind in history for epoch, _ in ind.rungs}, reverse=True):
        at = [replace(ind, fitness=dict(ind.rungs)[rung]) for ind in history if rung in dict(ind.rungs)]
        if len(at) >= minimum:
            return at
    return list(history)


def fit_minimum(traits: int) -> int:
    """How many results a model needs at one budget: BOHB's ``d + 1``, and at least 3."""
    return max(3, traits + 1)
