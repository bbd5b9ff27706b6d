"""What a strategy is told of a search's ended candidates: one ``Individual`` each.

- A failed candidate is told as the worst there is: 0 for a maximised metric (the floor of a
  fitness), the lowest fitness of the search for a minimised one (whose fitnesses are negative,
  so that 0 would crown the failures).
- With several objectives (``fitness.objectives``), each candidate's value of each, a candidate
  stopped early told as the worst in all of them.
- Where early stopping ran and the strategy models the search (``surrogate``, ``tpe``), each
  candidate also says whether it was stopped and its fitness at the rungs below the last epoch,
  so that the model compares like with like (``genetics.highest_rung``, BOHB's rule).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from searches.genetics import Individual
from searches.models import Entity, EpochResult, Search
from searches.spec.search import fitness_from, objective_values

# The values ``individuals`` needs of each ended entity, in this order.
FIELDS = (
    "pk", "generation__number", "index", "genome", "fitness", "status", "cached_from_id", "parameter_count",
    "train_seconds",
)  # fmt: skip
MODEL_STRATEGIES = ("surrogate", "tpe")
# The most rungs below the last epoch whose results a model is offered (the median rule has one per epoch).
MAX_RUNGS = 4


def individuals(search: Search, rows: Sequence[Sequence[Any]]) -> list[Individual]:
    """``rows``: the ``FIELDS`` of each ended entity, in the order the strategy is to be told them."""
    worst = 0.0 if search.direction != "minimize" else min((row[4] for row in rows if row[4] is not None), default=0.0)
    rungs = _rungs(search, rows)
    objectives = search.settings.objectives
    return [
        Individual(
            key=(gen, index), genome=genome, fitness=worst if fitness is None else fitness,
            stopped=status == Entity.Status.STOPPED, rungs=rungs.get(cached_from or pk, ()),
            objectives=_objectives(objectives, status, fitness, parameters, seconds) if objectives else (),
        )
        for pk, gen, index, genome, fitness, status, cached_from, parameters, seconds in rows
    ]  # fmt: skip


def _objectives(objectives, status, fitness, parameters, seconds) -> tuple[float, ...]:
    """A candidate's objectives, as the strategy is told them. One stopped early is told as the worst
    in every objective: its size and time are not a full training's (stopped at the first rung it would
    be the fastest there is), so, as on the leaderboard, only what trained to the end is ranked."""
    if status == Entity.Status.STOPPED:
        return tuple(-math.inf for _ in objectives)
    return objective_values(objectives, fitness=fitness, parameter_count=parameters, train_seconds=seconds)


def rung_epochs(search: Search) -> list[int]:
    """The epochs below the last at which the search's stopping rule decides (at most ``MAX_RUNGS``)."""
    rule = search.stopping_rule
    return [] if rule is None else rule.rungs(search.settings.training.epochs, most=MAX_RUNGS)


def _rungs(search: Search, rows: Sequence[Sequence[Any]]) -> dict[int, tuple[tuple[int, float], ...]]:
    if search.policy.strategy not in MODEL_STRATEGIES or not any(row[5] == Entity.Status.STOPPED for row in rows):
        return {}
    epochs = rung_epochs(search)
    penalty, minimised = search.settings.size_penalty, search.direction == "minimize"
    parameters = {row[6] or row[0]: row[7] or 0 for row in rows}  # by pk: FIELDS' order
    found: dict[int, list[tuple[int, float]]] = {}
    results = EpochResult.objects.filter(search=search, epoch__in=epochs).order_by("entity_id", "epoch")
    for entity, epoch, value in results.values_list("entity_id", "epoch", "val_accuracy").iterator(chunk_size=10_000):
        if entity in parameters:
            fitness = fitness_from(
                accuracy=value, parameter_count=parameters[entity], size_penalty=penalty, floor=not minimised
            )
            found.setdefault(entity, []).append((epoch, fitness))
    return {entity: tuple(values) for entity, values in found.items()}
