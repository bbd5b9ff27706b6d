"""Which traits matter: each trait's share of the fitness's variation, by Optuna's PED-ANOVA.

The search's ended candidates are rebuilt as an Optuna study held in memory (a trial per candidate,
its genome as the parameters, its fitness as the value, which is always maximised) and handed
to ``optuna.importance.PedAnovaImportanceEvaluator``: it compares where the best tenth of the
candidates lie against where all of them lie, trait by trait. It is fast (milliseconds for
thousands of trials), which matters since the dashboard shows it live.

With fewer than ``IMPORTANCE_MIN_CANDIDATES`` candidates the figures would be noise, so there are none.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

import optuna
from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from ._space import Genome, Space
from ._tpe import distributions, to_params

IMPORTANCE_MIN_CANDIDATES = 20
MAX_TRIALS = 1000  # a larger history is sampled (importance_sample): the figures barely move past it
TIMELINE_TRIALS = 300  # the same for the timeline's earlier points, which show a trend
MAX_STEPS = 10  # the timeline's points at most


class _GivenTrials(optuna.study.Study):
    """A study that only hands out the trials it was given. Optuna's evaluators read a study's
    completed trials and its direction, nothing else; a real in-memory study deep-copies every
    trial it stores, which costs ten times the evaluation itself (0.3 s for 1,000 candidates),
    and the dashboard works this out live. A test checks it gives what a real study gives."""

    def __init__(self, trials: list[FrozenTrial]):  # no storage: nothing is stored
        self._given = trials

    @property
    def directions(self) -> list[StudyDirection]:
        return [StudyDirection.MAXIMIZE]  # a fitness is always maximised

    def get_trials(self, deepcopy: bool = True, states=None) -> list[FrozenTrial]:
        return self._given

    def _is_multi_objective(self) -> bool:
        return False


_WHEN = datetime(2000, 1, 1, tzinfo=UTC)  # a completed trial must say when; nothing reads it


def as_trials(space: Space, rows: Sequence[tuple[Genome, float]]) -> list[FrozenTrial]:
    laws = distributions(space)
    return [
        FrozenTrial(
            number=number,
            trial_id=number,
            state=TrialState.COMPLETE,
            value=fitness,
            datetime_start=_WHEN,
            datetime_complete=_WHEN,
            params=to_params(space, genome),
            distributions=laws,
            user_attrs={},
            system_attrs={},
            intermediate_values={},
        )
        for number, (genome, fitness) in enumerate(rows)
    ]


def trait_importance(space: Space, rows: Sequence[tuple[Genome, float]]) -> dict[str, float] | None:
    """Each trait's importance (summing to 1) over ``(genome, fitness)`` rows, in the space's order;
    None with too few rows, or when the fitness does not vary at all."""
    if len(rows) < IMPORTANCE_MIN_CANDIDATES or len({fitness for _, fitness in rows}) < 2:
        return None
    study = _GivenTrials(as_trials(space, rows))
    found = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator(), normalize=True)
    return {trait.name: float(found.get(trait.name, 0.0)) for trait in space}


def sample_key(row: tuple) -> int:
    """Where a ``(key, ...)`` row falls in the sample order: a fixed scramble of its key (an
    entity's id), so that a sample is the same whatever order the rows came in, in every process."""
    return (row[0] * 2_654_435_761) % 2**32


def importance_sample(rows: Iterable[tuple], limit: int = MAX_TRIALS) -> list[tuple]:
    """At most ``limit`` of ``rows``: those first in the sample order (``sample_key``)."""
    return heapq.nsmallest(limit, rows, key=sample_key)


def importance_over_generations(
    space: Space, rows: Sequence[tuple[int, int, Genome, float]], *, trained: Mapping[int, int] | None = None
) -> dict | None:
    """Trait importance over the ``(key, generation, genome, fitness)`` rows of generations 0 to g,
    for up to ``MAX_STEPS`` values of g ending with the last: how the picture settled as the search
    went. None until it has one. ``trained``: how many candidates each generation trained, where
    ``rows`` are a sample of them (the counts said); by default, the rows counted."""
    trained = trained or Counter(generation for _, generation, _, _ in rows)
    generations = sorted(trained)
    counts = dict(zip(generations, itertools.accumulate(trained[g] for g in generations), strict=True))
    eligible = [g for g in generations if counts[g] >= IMPORTANCE_MIN_CANDIDATES]
    if not eligible:
        return None
    step = max(1, -(-len(eligible) // MAX_STEPS))
    chosen = sorted({*eligible[::-1][::step], eligible[-1]})[-MAX_STEPS:]
    timeline = []
    for generation in chosen:
        most = MAX_TRIALS if generation == chosen[-1] else TIMELINE_TRIALS
        so_far = importance_sample((row for row in rows if row[1] <= generation), most)
        figures = trait_importance(space, [(genome, fitness) for _, _, genome, fitness in so_far])
        if figures is not None:
            timeline.append((generation, counts[generation], len(so_far), figures))
    if not timeline:
        return None
    last = timeline[-1][3]
    names = sorted(last, key=lambda name: -last[name])
    return {
        "traits": names,  # the most important first
        "importance": {name: last[name] for name in names},
        "candidates": timeline[-1][1],  # trained in all
        "sampled": timeline[-1][2],  # of which these were looked at (at most MAX_TRIALS)
        "method": "Optuna's PED-ANOVA",
        "timeline": {
            "generations": [generation for generation, *_ in timeline],
            "candidates": [count for _, count, _, _ in timeline],
            "importance": {name: [figures[name] for *_, figures in timeline] for name in names},
        },
    }
