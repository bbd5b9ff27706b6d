"""The form's trait editor draws each trait's law as the server computes it, with its errors as typed."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from searches.genetics import trait_from_spec
from searches.spec.previews import BINS, space_preview, trait_law


def test_a_stepped_trait_gets_a_bar_per_grid_value_with_equal_probability():
    law = trait_law(trait_from_spec({"name": "units", "type": "geometric_int", "low": 16, "high": 128, "step": 2}))
    assert law["axis"] == "category" and law["x"] == ["16", "32", "64", "128"]
    assert law["p"] == pytest.approx([0.25] * 4) and law["cardinality"] == 4


def test_an_unstepped_geometric_int_gives_each_integer_its_log_uniform_probability():
    trait = trait_from_spec({"name": "k", "type": "geometric_int", "low": 1, "high": 9})
    law = trait_law(trait)
    expected = [math.log((k + 1) / k) / math.log(10) for k in range(1, 10)]
    assert law["p"] == pytest.approx(expected)
    rng = random.Random(3)
    drawn = Counter(trait.sample(rng) for _ in range(20_000))
    assert drawn[1] / 20_000 == pytest.approx(law["p"][0], abs=0.02)


def test_a_continuous_geometric_float_is_flat_on_its_log_axis():
    law = trait_law(trait_from_spec({"name": "lr", "type": "geometric_float", "low": 1e-4, "high": 1}))
    assert law["axis"] == "log" and len(law["x"]) == BINS and law["cardinality"] is None
    assert law["p"] == pytest.approx([1 / BINS] * BINS)


def test_the_space_counts_its_combinations_when_every_trait_is_valid():
    preview = space_preview([{"name": "a", "type": "bool"}, {"name": "b", "type": "int", "low": 1, "high": 3}])
    assert preview["combinations"] == 6 and preview["errors"] == {}


def test_an_invalid_trait_gets_no_law_and_its_error_on_its_field():
    preview = space_preview([{"name": "a", "type": "bool"}, {"name": "b", "type": "int", "low": 5, "high": 1}])
    assert preview["traits"][0]["cardinality"] == 2 and preview["traits"][1] is None
    assert preview["combinations"] is None and "inverted" in preview["errors"]["traits[1].high"][0]


@pytest.mark.django_db
def test_the_api_answers_the_editor_and_needs_sign_in(client, django_user_model):
    body = {"traits": [{"name": "lr", "type": "geometric_float", "low": 0.001, "high": 0.1, "step": 10}]}
    assert client.post("/api/space-preview/", body, content_type="application/json").status_code == 401
    client.force_login(django_user_model.objects.create_user("u", password="pass-word-1"))
    answer = client.post("/api/space-preview/", body, content_type="application/json").json()
    assert answer["combinations"] == 3 and answer["traits"][0]["x"] == ["0.001", "0.01", "0.1"]
