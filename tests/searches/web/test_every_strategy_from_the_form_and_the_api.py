"""The form and the API take every strategy; the dashboard and the downloads name the one a search used."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from searches.genetics import STRATEGIES, STRATEGY_HELP
from searches.models import Search
from workers.inline import run_inline


@pytest.mark.django_db
def test_the_form_offers_every_strategy_with_a_line_on_each(owner_client):
    page = owner_client.get(reverse("searches:new")).content.decode()
    assert 'data-path="ga.strategy"' in page and 'data-path="ga.duplicates"' in page
    for name in STRATEGIES:
        assert f'<option value="{name}">{name}: {escape(STRATEGY_HELP[name])}</option>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_form_starts_a_search_with_each_strategy(owner_client, small_spec, strategy):
    small_spec["ga"]["strategy"] = strategy
    response = owner_client.post(reverse("searches:new"), {"spec": json.dumps(small_spec)})
    assert response.status_code == 302 and Search.objects.get().policy.strategy == strategy


@pytest.mark.django_db
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_api_starts_a_search_with_each_strategy(owner_client, small_spec, strategy):
    small_spec["ga"]["strategy"] = strategy
    response = owner_client.post("/api/searches/", data=json.dumps(small_spec), content_type="application/json")
    assert response.status_code == 201 and Search.objects.get().spec["ga"]["strategy"] == strategy


@pytest.mark.django_db
def test_the_dashboard_and_the_downloads_name_the_strategy(owner_client, owner, small_spec):
    from searches import services

    small_spec["ga"]["strategy"] = "tpe"
    search = run_inline(services.search_create(spec=small_spec, owner=owner, execution=Search.Execution.INLINE).pk)
    assert owner_client.get(f"/api/searches/{search.pk}/").json()["search"]["strategy"] == "tpe"
    assert owner_client.get(reverse("searches:best_json", args=[search.pk])).json()["search"]["strategy"] == "tpe"
    export = json.loads(b"".join(owner_client.get(reverse("searches:export_json", args=[search.pk])).streaming_content))
    assert export["search"]["strategy"] == "tpe" and "rebreeds" in export["entities"][0]
