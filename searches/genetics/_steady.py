"""Steady-state breeding, one birth at a time: pure functions that a search's services and the
in-memory ``SteadyStateOptimizer`` share.

A birth's place in the search is its number: its cohort (its "generation") is
``birth // population`` and its index in the cohort ``birth % population``. Cohort 0 is
random; a later cohort of the ``genetic`` strategy has its ``immigrants``, drawn from the
cohort's own random stream, parents of every child of that cohort.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ._breeding import IMMIGRANT, Individual, Proposal
from ._policy import BreedingPolicy
from ._space import Space, birth_rng, generation_rng
from ._strategies import propose


def cohort_immigrants(space: Space, policy: BreedingPolicy, *, seed: int, number: int) -> list[Proposal]:
    """The immigrants of cohort ``number`` (none for cohort 0, and for strategies without parents)."""
    if number == 0 or policy.strategy != "genetic" or not policy.immigrants:
        return []
    rng = generation_rng(seed, number)
    return [
        Proposal(key=(number, policy.population + j), genome=space.sample(rng), origin=IMMIGRANT)
        for j in range(policy.immigrants)
    ]


def propose_birth(
    space: Space,
    policy: BreedingPolicy,
    *,
    seed: int,
    birth: int,
    history: Sequence[Individual],
    taken: Collection[str],
    pending: Sequence[Mapping[str, Any]] = (),
    immigrants: Sequence[Proposal] = (),
) -> Proposal | None:
    """Birth number ``birth``: one new genome, given the candidates ended so far in the order they
    ended (``history``). "The previous generation" is the last ``population`` of them. None when
    the space has no new genome left."""
    number, index = divmod(birth, policy.population)
    proposals = propose(
        space, policy, seed=seed, number=number, count=1, first_index=index, rng=birth_rng(seed, birth),
        previous=history[-policy.population :], history=history, taken=taken, pending=pending,
        immigrants=list(immigrants),
    )  # fmt: skip
    children = [p for p in proposals if p.evaluate]
    return children[0] if children else None
