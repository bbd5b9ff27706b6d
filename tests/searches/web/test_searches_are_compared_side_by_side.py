from __future__ import annotations

import json

import pytest
from django.urls import reverse

from searches import services
from searches.models import Entity, Search
from searches.reads.comparison import best_so_far, parallel_coordinates
from workers.inline import run_inline


@pytest.fixture
def two_strategies(owner, small_spec):
    """The same spec run with two strategies."""
    searches = []
    for strategy in ("genetic", "random"):
        spec = {**small_spec, "name": strategy, "ga": {**small_spec["ga"], "strategy": strategy}}
        searches.append(
            run_inline(services.search_create(spec=spec, owner=owner, execution=Search.Execution.INLINE).pk)
        )
    return searches


@pytest.mark.django_db
def test_the_best_so_far_is_sent_as_its_steps_and_ends_at_the_best(two_strategies):
    search = two_strategies[0]
    curve = best_so_far(search)
    trained = Entity.objects.filter(search=search, status="done").exclude(origin="baseline")
    assert curve["best"] == sorted(curve["best"]) and curve["best"][-1] == max(e.fitness for e in trained)
    assert curve["evaluations"][-1] == curve["total"] == trained.count()
    assert curve["evaluations"] == sorted(curve["evaluations"])


@pytest.mark.django_db
def test_the_page_overlays_the_chosen_searches_and_lists_their_results(owner_client, two_strategies):
    ids = [s.pk for s in two_strategies]
    response = owner_client.get(reverse("searches:compare") + f"?ids={ids[0]}&ids={ids[1]}")
    assert response.status_code == 200
    page = response.content.decode()
    data = json.loads(page.split('id="comparison" type="application/json">')[1].split("</script>")[0])
    assert data["same_space"] and [row["strategy"] for row in data["searches"]] == ["genetic", "random"]
    assert all(row["curve"]["best"] for row in data["searches"])
    assert data["lines"]["search"] == ids[0] and len(data["lines"]["traits"]) == len(two_strategies[0].spec["traits"])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?ids=1", "?ids=x&ids=2", "?ids=999998,999999"])
def test_fewer_than_two_or_unknown_searches_are_refused_with_a_message(owner_client, query):
    response = owner_client.get(reverse("searches:compare") + query, follow=True)
    assert response.redirect_chain[-1][0] == reverse("searches:list")
    assert any("search" in str(message).lower() for message in response.context["messages"])


@pytest.mark.django_db
def test_the_parallel_coordinates_give_each_choice_an_axis_tick(two_strategies):
    lines = parallel_coordinates(two_strategies[0])
    optimizer = next(t for t in lines["traits"] if t["name"] == "optimizer")
    assert optimizer["ticks"] == ["sgd", "adam", "rmsprop"] and set(optimizer["values"]) <= {0, 1, 2}
    flag = next(t for t in lines["traits"] if t["name"] == "flag")
    assert flag["ticks"] == ["false", "true"]
    assert len(lines["fitness"]) == lines["shown"] == lines["total"]
