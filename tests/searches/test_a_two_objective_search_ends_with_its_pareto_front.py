"""A search of two objectives (accuracy, and parameters to minimise) on the synthetic objective
ends with a front a test can check by hand: the leaderboard ranks the front first, best.json lists
it, and each is exactly the candidates that no other beats on both counts."""

from __future__ import annotations

import pytest

from searches import services
from searches.exports.documents import best_document
from searches.models import Entity, Search
from searches.reads.best import best_entity
from searches.spec.search import parse_spec
from workers.inline import run_inline


def _beaten(row, rows) -> bool:
    """By another row as accurate and as small, and better in one: the definition, pair by pair."""
    return any(
        o["fitness"] >= row["fitness"] and o["parameter_count"] <= row["parameter_count"]
        and (o["fitness"] > row["fitness"] or o["parameter_count"] < row["parameter_count"])
        for o in rows
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("strategy", "mode"), [("genetic", "generational"), ("genetic", "steady_state"), ("tpe", "generational")]
)
def test_the_front_is_the_candidates_nobody_beats_on_both_counts(small_spec, client, django_user_model, strategy, mode):
    small_spec["ga"].update(population=10, generations=4, strategy=strategy, mode=mode)
    small_spec["fitness"] = {"objectives": ["accuracy", "-parameters"]}
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    assert search.status == Search.Status.COMPLETED
    rows = list(
        Entity.objects.population().filter(search=search, status="done").values("id", "fitness", "parameter_count")
    )
    front = {row["id"] for row in rows if not _beaten(row, rows)}
    assert 1 < len(front) < len(rows), "the two objectives conflict in this space"

    client.force_login(django_user_model.objects.create_user("ada", password="x-correct-9"))
    board = client.get(f"/api/searches/{search.pk}/leaderboard/?offset=0").json()["rows"]
    first = [row for row in board if row["front"] == 1]
    assert {row["id"] for row in first} == front and [row["front"] for row in board[: len(front)]] == [1] * len(front)
    assert [row["id"] for row in board[: len(front)]] == [row["id"] for row in first]

    document = best_document(search, best_entity(search))
    assert {row["entity"] for row in document["front"]} == front
    listed = next(row for row in document["front"])
    assert listed["objectives"] == {"accuracy": listed["fitness"], "-parameters": listed["parameter_count"]}


def test_several_objectives_are_refused_where_they_cannot_work(small_spec):
    from searches.genetics import SpecError

    for fitness, field in [
        ({"objectives": ["accuracy"]}, "fitness.objectives"),
        ({"objectives": ["accuracy", "-depth"]}, "fitness.objectives"),
        ({"objectives": ["accuracy", "accuracy"]}, "fitness.objectives"),
        ({"objectives": ["-parameters", "accuracy"]}, "fitness.objectives"),  # the fitness comes first
        ({"objectives": ["accuracy", "-parameters", "-seconds"]}, "fitness.objectives"),
        ({"objectives": ["accuracy", "-parameters"], "size_penalty": 0.5}, "fitness.objectives"),
    ]:
        small_spec["fitness"] = fitness
        with pytest.raises(SpecError) as refused:
            parse_spec(small_spec)
        assert field in refused.value.errors, (fitness, refused.value.errors)
    small_spec["fitness"] = {"objectives": ["accuracy", "-parameters"]}
    small_spec["ga"]["strategy"] = "surrogate"
    with pytest.raises(SpecError, match="surrogate"):
        parse_spec(small_spec)


def test_a_one_fitness_spec_s_normal_form_is_what_it_was(small_spec):
    assert parse_spec(small_spec).to_dict()["fitness"] == {"size_penalty": 0.0}
    small_spec["fitness"] = {"objectives": ["accuracy", "-seconds"]}
    normal = parse_spec(small_spec).to_dict()
    assert normal["fitness"] == {"size_penalty": 0.0, "objectives": ["accuracy", "-seconds"]}
    assert parse_spec(normal).to_dict() == normal


@pytest.mark.django_db
def test_a_candidate_stopped_early_is_told_as_the_worst_not_the_fastest(small_spec):
    from searches.services import told

    small_spec["ga"].update(population=9, generations=3)
    small_spec["fitness"] = {"objectives": ["accuracy", "-seconds"]}
    small_spec["training"] = {"epochs": 9, "early_stopping": {"rule": "successive_halving", "min_epochs": 1}}
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    rows = list(
        Entity.objects.population().filter(search=search).exclude(status="parent_only").values_list(*told.FIELDS)
    )
    told_of = {row[0]: ind for row, ind in zip(rows, told.individuals(search, rows), strict=True)}
    stopped = [row[0] for row in rows if row[5] == Entity.Status.STOPPED]
    assert stopped, "successive halving stopped none"
    assert all(told_of[pk].objectives == (float("-inf"), float("-inf")) for pk in stopped)
    trained = [pk for pk in told_of if pk not in stopped and told_of[pk].fitness > 0]
    assert all(all(v > float("-inf") for v in told_of[pk].objectives) for pk in trained)
