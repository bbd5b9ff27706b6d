"""A query-string number a user typed wrongly is a 400 or is ignored, never a 500: ``"²".isdigit()``
is true but ``int("²")`` raises, and a number past 2**63 is no row of any database."""

from __future__ import annotations

import pytest

from searches import services
from searches.models import Search

ODD = ["²", "٣", "1²", "99999999999999999999999", "-1", " 1", ""]


@pytest.fixture
def search(owner_client, small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ODD)
def test_the_leaderboard_refuses_an_offset_that_is_not_a_whole_number(owner_client, search, odd):
    response = owner_client.get(f"/api/searches/{search.pk}/leaderboard/", {"offset": odd})
    assert response.status_code == 400 and "whole number" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ODD)
def test_the_state_sends_the_whole_state_for_an_odd_since(owner_client, search, odd):
    response = owner_client.get(f"/api/searches/{search.pk}/", {"since": f"token:{odd}"})
    assert response.status_code == 200 and not response.json().get("delta")


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ODD)
def test_the_form_starts_from_the_default_preset_for_an_odd_copy_number(owner_client, search, odd):
    response = owner_client.get("/searches/new/", {"from": odd})
    assert response.status_code == 200 and "synthetic" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("odd", [odd for odd in ODD if odd.strip() != "1"])  # " 1" is search #1, spaced
def test_compare_says_which_numbers_it_takes(owner_client, search, odd):
    other = services.search_create(spec=search.spec, execution=Search.Execution.INLINE)
    response = owner_client.get("/searches/compare/", {"ids": [str(search.pk), odd or "x"]})
    assert response.status_code == 302
    lines = owner_client.get("/searches/compare/", {"ids": [search.pk, other.pk], "lines": odd})
    assert lines.status_code == 200
