"""With early stopping, the surrogate and TPE fit to one budget's results (BOHB's rule): the last
epoch's once it has enough, else the highest rung below it that has, each at that rung."""

from __future__ import annotations

import random

from searches.genetics import BreedingPolicy, Individual, Space
from searches.genetics._fidelity import fit_minimum, highest_rung
from searches.genetics._surrogate import propose_surrogate


def individual(i: int, fitness: float, *, stopped=False, rungs=()) -> Individual:
    return Individual(key=(0, i), genome={"x": i}, fitness=fitness, stopped=stopped, rungs=tuple(rungs))


def test_without_a_stopped_candidate_the_history_is_as_it_was():
    history = [individual(i, 0.1 * i) for i in range(3)]
    assert highest_rung(history, minimum=10) == history


def test_the_full_budget_is_used_alone_once_it_has_enough():
    full = [individual(i, 0.5 + 0.01 * i, rungs=[(1, 0.3)]) for i in range(4)]
    stopped = [individual(10 + i, 0.2, stopped=True, rungs=[(1, 0.2)]) for i in range(6)]
    assert highest_rung([*stopped, *full], minimum=4) == full


def test_below_enough_the_highest_rung_with_enough_speaks_with_each_one_s_value_then():
    full = [individual(i, 0.6, rungs=[(1, 0.3), (3, 0.45)]) for i in range(2)]
    at_three = [individual(10 + i, 0.4, stopped=True, rungs=[(1, 0.31), (3, 0.4)]) for i in range(2)]
    at_one = [individual(20 + i, 0.1, stopped=True, rungs=[(1, 0.1)]) for i in range(3)]
    history = [*full, *at_three, *at_one]
    chosen = highest_rung(history, minimum=4)  # the full budget has 2, rung 3 has 4
    assert [(ind.key, ind.fitness) for ind in chosen] == [
        ((0, 0), 0.45),
        ((0, 1), 0.45),
        ((0, 10), 0.4),
        ((0, 11), 0.4),
    ]
    everyone_at_one = highest_rung(history, minimum=7)
    assert sorted(ind.fitness for ind in everyone_at_one) == [0.1, 0.1, 0.1, 0.3, 0.3, 0.31, 0.31]
    assert highest_rung(history, minimum=8) == history  # no budget has enough: as it was


def test_a_model_needs_one_more_result_than_it_has_traits_and_at_least_three():
    assert fit_minimum(1) == 3 and fit_minimum(6) == 7


def test_short_runs_that_favour_the_wrong_region_do_not_steer_the_surrogate():
    """Epoch 1 favours small x (fast starters); the full budget favours large x. Enough full
    results exist, so the surrogate's children lean to large x, as the full budget says."""
    space = Space.from_spec([{"name": "x", "type": "float", "low": 0, "high": 1}])
    rng = random.Random(3)
    history = []
    for i in range(40):
        x = rng.random()
        early, late = 1 - x, x  # the first epoch's order is the reverse of the last's
        stopped = i % 4 != 0
        history.append(
            Individual(
                key=(0, i), genome={"x": x}, fitness=early if stopped else late, stopped=stopped, rungs=((1, early),)
            )
        )
    policy = BreedingPolicy(strategy="surrogate", population=10, elite_previous=5, elite_all_time=5)
    children = propose_surrogate(space, policy, seed=1, number=1, previous=history, history=history)
    assert sum(child.genome["x"] for child in children) / len(children) > 0.5
