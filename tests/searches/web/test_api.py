from __future__ import annotations

import json

import pytest

from searches.models import Search


@pytest.mark.django_db
def test_post_creates_a_search_and_answers_201_with_its_id(owner_client, small_spec):
    response = owner_client.post("/api/searches/", data=json.dumps(small_spec), content_type="application/json")
    search = Search.objects.get()
    assert response.status_code == 201 and response.json()["id"] == search.pk
    assert response["Location"] == f"/searches/{search.pk}/"


@pytest.mark.django_db
def test_post_answers_400_with_the_field_errors_and_stores_nothing(owner_client, small_spec):
    small_spec["ga"]["population"] = 1_000_000
    del small_spec["name"]
    response = owner_client.post("/api/searches/", data=json.dumps(small_spec), content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "ga.population"}
    assert not Search.objects.exists()


@pytest.mark.django_db
def test_post_answers_400_to_malformed_json(owner_client):
    response = owner_client.post("/api/searches/", data="{nope", content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["errors"][""][0]


@pytest.mark.django_db
def test_post_refuses_a_body_over_the_size_limit(owner_client):
    body = json.dumps({"name": "x" * 300_000})
    assert owner_client.post("/api/searches/", data=body, content_type="application/json").status_code == 413


@pytest.mark.django_db
def test_get_lists_the_searches(owner_client, finished_search):
    searches = owner_client.get("/api/searches/").json()["searches"]
    assert [s["id"] for s in searches] == [finished_search.pk]
    assert searches[0]["status"] == "completed" and searches[0]["ended"] == searches[0]["total"] == 18


@pytest.mark.django_db
def test_the_list_never_counts_the_baseline_as_the_best(owner_client, finished_search):
    from searches.models import Entity

    reference = Entity.objects.filter(search=finished_search, status="done").order_by("pk").first()
    Entity.objects.filter(pk=reference.pk).update(origin="baseline", fitness=2.0)
    listed = owner_client.get("/api/searches/").json()["searches"][0]
    assert listed["best_fitness"] < 2.0
    assert listed["best_fitness"] == owner_client.get(f"/api/searches/{finished_search.pk}/").json()["best"]["fitness"]
    assert "2.0000" not in owner_client.get("/").content.decode()


@pytest.mark.django_db
def test_the_state_answers_unchanged_when_nothing_moved(owner_client, finished_search):
    state = owner_client.get(f"/api/searches/{finished_search.pk}/").json()
    again = owner_client.get(f"/api/searches/{finished_search.pk}/?version={state['version']}").json()
    assert again == {"version": state["version"], "unchanged": True}


@pytest.mark.django_db
def test_the_state_answers_304_to_a_client_that_has_this_version(owner_client, finished_search):
    first = owner_client.get(f"/api/searches/{finished_search.pk}/")
    assert first["ETag"] == f'W/"{first.json()["version"]}"'
    again = owner_client.get(f"/api/searches/{finished_search.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    stale = owner_client.get(f"/api/searches/{finished_search.pk}/", HTTP_IF_NONE_MATCH='W/"0000"')
    assert stale.status_code == 200 and stale.json()["version"] == first.json()["version"]


@pytest.mark.django_db
def test_the_state_holds_what_the_dashboard_draws(owner_client, finished_search):
    state = owner_client.get(f"/api/searches/{finished_search.pk}/").json()
    assert state["search"]["status"] == "completed" and state["progress"]["ended"] == 18
    assert len(state["generations"]) == 3 and state["generations"][-1]["best_so_far"] == state["best"]["fitness"]
    assert len(state["points"]["id"]) == 18 and set(state["points"]["traits"]) == {t["name"] for t in state["traits"]}
    assert [h["name"] for h in state["histograms"]] == [t["name"] for t in state["traits"]]
    assert state["leaderboard"][0]["rank"] == 1 and state["workers"][0]["done"] > 0


@pytest.mark.django_db
def test_an_entity_shows_its_parents_and_inheritance(owner_client, finished_search):
    from searches.models import Entity

    child = Entity.objects.filter(search=finished_search, origin="offspring").first()
    detail = owner_client.get(f"/api/entities/{child.pk}/").json()
    assert detail["parents"]["a"]["id"] == child.parent_a_id
    assert set(detail["inheritance"]) == set(child.genome)


@pytest.mark.django_db
def test_an_unknown_search_is_404(owner_client):
    assert owner_client.get("/api/searches/999/").status_code == 404


@pytest.mark.django_db
def test_a_client_that_says_what_it_holds_gets_only_what_changed(owner_client, monkeypatch):
    from searches import services
    from searches.live import cache as state_cache
    from searches.models import Entity
    from tests.simulate import simulated_search

    monkeypatch.setattr(state_cache, "FRESH_FOR_SECONDS", 0.0)
    search = simulated_search(entities=200, population=100, last_generation_queued=True)
    first = owner_client.get(f"/api/searches/{search.pk}/").json()
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=entity.pk, worker="w@test")
    services.entity_record_result(entity_id=entity.pk, accuracy=0.9, parameter_count=10, train_seconds=1.0)
    since = f"{first['base']['token']}:{first['base']['seq']}"
    delta = owner_client.get(f"/api/searches/{search.pk}/?version={first['version']}&since={since}").json()
    assert delta["delta"] and delta["points"]["id"] == [entity.pk] and delta["version"] != first["version"]
    assert delta["progress"]["done"] == first["progress"]["done"] + 1
    whole = owner_client.get(f"/api/searches/{search.pk}/").json()
    assert not whole["delta"] and len(whole["points"]["id"]) == len(first["points"]["id"]) + 1
