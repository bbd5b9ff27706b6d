"""Several objectives: Pareto fronts and crowding distances as NSGA-II defines them, checked by
hand, and the genetic algorithm's parents chosen by them."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from searches.genetics import Individual, crowding_distances, dominates, pareto_ranks, rank
from searches.genetics._pareto import _ranks_of_many, _ranks_of_two

# (accuracy, -parameters in millions): worked out by hand below.
POINTS = [
    (0.90, -5.0),  # a: the most accurate: front 1
    (0.80, -1.0),  # b: front 1
    (0.70, -0.5),  # c: front 1, the smallest
    (0.85, -5.0),  # d: beaten by a (as large, less accurate): front 2
    (0.75, -2.0),  # e: beaten by b: front 2
    (0.60, -2.0),  # f: beaten by b and e: front 3
    (0.90, -5.0),  # g: a's twin: neither beats the other, front 1
]


def test_the_fronts_are_those_worked_out_by_hand():
    assert pareto_ranks(POINTS) == [0, 0, 0, 1, 1, 2, 0]
    assert dominates(POINTS[0], POINTS[3]) and not dominates(POINTS[0], POINTS[6])


def test_the_crowding_distance_is_infinite_at_a_front_s_ends_and_the_neighbours_gap_inside():
    ranks = pareto_ranks(POINTS)
    distances = crowding_distances(POINTS, ranks)
    # Front 1 sorted by accuracy: c 0.70, b 0.80, a/g 0.90; by size: a/g -5, b -1, c -0.5.
    assert math.isinf(distances[2])  # c: an end
    # b: (0.90 - 0.70) / (0.90 - 0.70) + (-0.5 - -5) / (-0.5 - -5) = 2
    assert distances[1] == 2.0
    assert math.isinf(distances[3]) and math.isinf(distances[4])  # front 2 has only two: both ends
    assert math.isinf(distances[5])


@given(st.lists(st.tuples(st.sampled_from([0.1, 0.2, 0.3, 0.5]), st.sampled_from([-3.0, -2.0, -1.0])), max_size=40))
def test_the_fast_two_objective_sort_agrees_with_deb_s(points):
    assert _ranks_of_two(points) == _ranks_of_many(points)


def test_three_objectives_are_sorted_too():
    points = [(1, 1, 1), (1, 1, 0), (0, 2, 0), (0, 0, 0)]
    assert pareto_ranks(points) == [0, 1, 0, 2]


def test_parents_are_chosen_by_front_then_crowding_not_by_fitness_alone():
    individuals = [
        Individual(key=(0, i), genome={"x": i}, fitness=point[0], objectives=point) for i, point in enumerate(POINTS)
    ]
    ordered = [ind.key[1] for ind in rank(individuals)]
    # Front 1 first (its ends a, g and c by infinite crowding, then b), then front 2, then front 3;
    # by fitness alone d (0.85) would come before b (0.80) and c (0.70).
    assert set(ordered[:4]) == {0, 1, 2, 6} and ordered[3] == 1
    assert ordered[4:] == [3, 4, 5]
    # One fitness: the order is the fitness order, as before.
    plain = [Individual(key=(0, i), genome={"x": i}, fitness=p[0]) for i, p in enumerate(POINTS)]
    assert [ind.key[1] for ind in rank(plain)] == [0, 6, 3, 1, 4, 2, 5]


def test_a_point_lacking_a_value_has_room_not_a_nan_distance():
    points = [(0.9, -math.inf), (0.8, -3.0), (0.7, -1.0)]
    distances = crowding_distances(points, [0, 0, 0])
    assert not any(math.isnan(d) for d in distances)
    assert math.isinf(distances[0]) and math.isinf(distances[2]) and math.isinf(distances[1])


def test_tpe_learns_a_duplicate_s_every_objective(recwarn):
    from searches.genetics import BreedingPolicy, Space, genome_hash
    from searches.genetics._tpe import propose_tpe

    space = Space.from_spec([{"name": "a", "type": "bool"}, {"name": "b", "type": "choice", "choices": [1, 2, 3]}])
    genomes = [{"a": a, "b": b} for a in (False, True) for b in (1, 2, 3)][:5]
    history = [
        Individual(key=(0, i), genome=g, fitness=0.1 * i, objectives=(0.1 * i, -float(i)))
        for i, g in enumerate(genomes)
    ]
    proposals = propose_tpe(
        space, BreedingPolicy(population=4, elite_previous=2, elite_all_time=2, strategy="tpe"), seed=1, number=1,
        history=history, taken={genome_hash(g) for g in genomes}, count=1,
    )  # fmt: skip
    assert [p.genome for p in proposals] == [{"a": True, "b": 3}]  # the one genome left
    assert not [w for w in recwarn if "did not match" in str(w.message)], [str(w.message) for w in recwarn]
