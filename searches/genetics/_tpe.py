"""Bayesian optimisation through Optuna's TPE sampler, as a gaweb strategy (``ga.strategy: "tpe"``).

Optuna is used as a library, not copied: its multivariate ``TPESampler``, with the
constant liar so that a whole generation can be asked for at once (as many workers do).
Its state is the search's own history: each call rebuilds an in-memory study from the
candidates that have ended (completed trials, failed ones at fitness 0) and those still
pending (running trials), so it survives restarts and works from any machine, with no
second store.

How traits map onto Optuna's distributions:

* ``bool`` and ``choice``: ``CategoricalDistribution`` of their values;
* ``int`` (with its step) and unstepped ``geometric_int``: ``IntDistribution`` (log scale
  for the geometric one);
* ``float``: ``FloatDistribution`` (with its step, if any); unstepped ``geometric_float``:
  ``FloatDistribution(log=True)``;
* stepped geometric traits: the index of the value on the grid, an ``IntDistribution``
  from 0: the grid is evenly spaced on the log scale, so its index is the log scale.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState, create_trial

from ._breeding import Individual, Proposal, random_proposals
from ._fidelity import fit_minimum, highest_rung
from ._novelty import REBREED_TRIES, Novelty
from ._policy import BreedingPolicy
from ._space import Genome, Space, generation_rng, genome_hash
from ._traits import Trait

TPE = "tpe"
optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial would drown gaweb's logs


def distributions(space: Space) -> dict[str, BaseDistribution]:
    return {trait.name: _distribution(trait) for trait in space}


def _distribution(trait: Trait) -> BaseDistribution:
    if trait.kind in ("bool", "choice"):
        return CategoricalDistribution(trait.grid())
    if _by_index(trait):
        return IntDistribution(0, len(trait.values) - 1)
    if trait.kind == "int":
        return IntDistribution(int(trait.low), int(trait.high), step=int(trait.step or 1))
    if trait.kind == "geometric_int":
        return IntDistribution(int(trait.low), int(trait.high), log=True)
    if trait.kind == "float":
        return FloatDistribution(trait.low, trait.high, step=trait.step)
    return FloatDistribution(trait.low, trait.high, log=True)


def _by_index(trait: Trait) -> bool:
    return trait.kind.startswith("geometric") and trait.step is not None


def to_params(space: Space, genome: Mapping[str, Any]) -> dict[str, Any]:
    return {t.name: t.values.index(genome[t.name]) if _by_index(t) else genome[t.name] for t in space}


def from_params(space: Space, params: Mapping[str, Any]) -> Genome:
    genome = {}
    for trait in space:
        value = params[trait.name]
        if _by_index(trait):
            value = trait.values[value]
        elif trait.kind == "float" and trait.values is not None:
            value = min(trait.values, key=lambda v: abs(v - value))  # the grid's own tidy value
        genome[trait.name] = value
    return genome


def propose_tpe(
    space: Space,
    policy: BreedingPolicy,
    *,
    seed: int,
    number: int,
    history: Sequence[Individual] = (),
    pending: Sequence[Mapping[str, Any]] = (),
    taken: Collection[str] = (),
    count: int | None = None,
    first_index: int = 0,
    rng: random.Random | None = None,
    **_unused: Any,
) -> list[Proposal]:
    """``count`` (default: ``population``) genomes asked of TPE, given the search so far.

    Generation 0 is random, as in every strategy. A genome the search already has is
    not proposed (``duplicates: "rebreed"``): TPE is told it and asked again, up to
    ``REBREED_TRIES`` times, then a new random genome is taken.
    """
    count = policy.population if count is None else count
    rng = generation_rng(seed, number) if rng is None else rng
    novelty = Novelty(space, taken) if policy.duplicates == "rebreed" else None
    if number == 0:
        return random_proposals(space, count, number=number, rng=rng, novelty=novelty, first_index=first_index)
    # With early stopping, TPE models one budget's results: the highest that has enough. With several
    # objectives, the fully trained ones (a stopped candidate's time and size are not a full training's).
    several = bool(history and history[0].objectives)
    modelled = [ind for ind in history if not ind.stopped] if several else history
    study = _study(
        space, highest_rung(modelled, minimum=fit_minimum(len(space.names))), pending, seed=rng.randrange(2**31)
    )
    known = {
        genome_hash(ind.genome): [_finite(v) for v in ind.objectives] if several else ind.fitness for ind in history
    }
    dists = distributions(space)
    proposals: list[Proposal] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        for index in range(first_index, first_index + count):
            rebreeds = 0
            while True:
                trial = study.ask(dists)
                genome = from_params(space, trial.params)
                if novelty is None or novelty.is_new(genome):
                    break
                # Already in the search: what TPE learns from it is what the search knows of it.
                digest = genome_hash(genome)
                if digest in known:
                    study.tell(trial, known[digest])
                else:
                    study.tell(trial, state=TrialState.FAIL)
                rebreeds += 1
                if rebreeds >= REBREED_TRIES:
                    genome = novelty.random_new(rng)
                    break
            if genome is None:
                break  # the space has no new genome left
            if novelty is not None:
                novelty.take(genome)
            proposals.append(Proposal(key=(number, index), genome=genome, origin=TPE, rebreeds=rebreeds))
    return proposals


def _finite(value: float) -> float:
    """Optuna takes no infinite value: what a candidate lacks is told as far below anything measured."""
    return value if math.isfinite(value) else -1e300


def _study(space: Space, history: Sequence[Individual], pending: Sequence[Mapping[str, Any]], *, seed: int):
    dists = distributions(space)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)
        # Several objectives: Optuna's multi-objective TPE (MOTPE), every objective maximised as told.
        objectives = len(history[0].objectives) if history and history[0].objectives else 0
        if objectives:
            study = optuna.create_study(directions=["maximize"] * objectives, sampler=sampler)
            done = [
                create_trial(
                    params=to_params(space, i.genome), distributions=dists, values=[_finite(v) for v in i.objectives]
                )
                for i in history
            ]
        else:
            study = optuna.create_study(direction="maximize", sampler=sampler)
            done = [
                create_trial(params=to_params(space, i.genome), distributions=dists, value=i.fitness) for i in history
            ]
        running = [
            create_trial(params=to_params(space, genome), distributions=dists, state=TrialState.RUNNING)
            for genome in pending
        ]
        study.add_trials(done + running)
    return study
