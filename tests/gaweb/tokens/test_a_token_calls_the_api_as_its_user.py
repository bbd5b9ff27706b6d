"""``Authorization: Bearer <token>``: the API answers as the token's user, and a write needs no
CSRF token; the token's last use is recorded."""

from __future__ import annotations

import json

import pytest

from gaweb.tokens.models import ApiToken
from searches.models import Search

from .conftest import bearer


@pytest.mark.django_db
def test_a_write_token_starts_a_search_owned_by_its_user_without_csrf(api, alice, write_token, small_spec):
    response = api.post(
        "/api/searches/", json.dumps(small_spec), content_type="application/json", **bearer(write_token)
    )
    assert response.status_code == 201, response.content
    assert Search.objects.get(pk=response.json()["id"]).owner == alice
    listed = api.get("/api/searches/", **bearer(write_token)).json()["searches"]
    assert [row["owner"] for row in listed] == ["alice"]
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_without_a_token_or_a_session_the_api_says_how_to_sign_in(api, small_spec):
    response = api.get("/api/searches/")
    assert response.status_code == 401 and "Authorization: Bearer <token>" in response.json()["error"]
    # A write without a token fails the CSRF check first: it too says to send a token, not a CSRF cookie.
    response = api.post("/api/searches/", json.dumps(small_spec), content_type="application/json")
    assert response.status_code == 401 and "Authorization: Bearer <token>" in response.json()["error"]
