"""The dashboard's rungs: how many candidates reached each rung of early stopping, and the fitness
of those that ended there, folded in one candidate at a time and equal to what the rows say."""

from __future__ import annotations

import statistics

import pytest

from searches import services
from searches.live.points import RungLadder
from searches.models import Entity, Search
from workers.inline import run_inline


def test_a_candidate_counts_at_every_rung_it_reached_and_ends_at_the_highest():
    ladder = RungLadder([1, 3, 9])
    for epochs, fitness in [(1, 0.2), (1, 0.3), (2, 0.5), (3, 0.6), (9, 0.8), (9, 0.9), (9, None)]:
        ladder.add(epochs, fitness)
    rows = ladder.rows()
    assert rows["reached"] == [7, 4, 3]
    # Stopped after 2 epochs (a median rule between rungs) ended at the rung below; a failure has no fitness.
    assert rows["ended"] == [3, 1, 2]
    assert rows["fitness"][0] == [0.2, 0.25, 0.3, 0.4, 0.5]
    assert rows["fitness"][2][2] == pytest.approx(0.85)


def test_a_rung_nobody_ended_at_has_no_fitness():
    ladder = RungLadder([1, 3])
    ladder.add(3, 0.7)
    assert ladder.rows() == {"epochs": [1, 3], "reached": [1, 1], "ended": [0, 1], "fitness": [None, [0.7] * 5]}


@pytest.mark.django_db
def test_a_search_s_state_counts_its_rungs_as_its_rows_do(small_spec, client, django_user_model):
    small_spec["ga"].update(population=9, generations=3)
    small_spec["training"] = {"epochs": 9, "early_stopping": {"rule": "successive_halving", "min_epochs": 1}}
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    client.force_login(django_user_model.objects.create_user("ada", password="x-correct-9"))
    rungs = client.get(f"/api/searches/{search.pk}/").json()["rungs"]

    ended = Entity.objects.population().filter(search=search, status__in=["done", "stopped"])
    epochs = list(ended.values_list("epochs", flat=True))
    assert rungs["epochs"] == [1, 3, 9]
    assert rungs["reached"] == [sum(e >= rung for e in epochs) for rung in (1, 3, 9)]
    assert rungs["reached"][0] > rungs["reached"][1] > rungs["reached"][2] > 0, "successive halving stopped none"
    finished = sorted(ended.filter(status="done").values_list("fitness", flat=True))
    assert rungs["ended"][2] == len(finished) and rungs["fitness"][2][2] == pytest.approx(statistics.median(finished))


@pytest.mark.django_db
def test_a_search_without_early_stopping_has_no_rungs(small_spec, client, django_user_model):
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    client.force_login(django_user_model.objects.create_user("ada", password="x-correct-9"))
    assert client.get(f"/api/searches/{search.pk}/").json()["rungs"] is None
