"""A revoked, expired, unknown or malformed token gets a 401, and a read token on a write a 403,
each with a message that says why; nothing is changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gaweb.tokens.models import ApiToken
from searches.models import Search

from .conftest import bearer


@pytest.mark.django_db
def test_a_read_token_reads_but_may_not_write(api, read_token, small_spec):
    assert api.get("/api/searches/", **bearer(read_token)).status_code == 200
    response = api.post("/api/searches/", json.dumps(small_spec), content_type="application/json", **bearer(read_token))
    assert response.status_code == 403 and "may only read" in response.json()["error"]
    assert not Search.objects.exists()


@pytest.mark.django_db
def test_a_revoked_token_gets_a_401(api, read_token):
    ApiToken.objects.update(revoked_at=timezone.now())
    response = api.get("/api/searches/", **bearer(read_token))
    assert response.status_code == 401 and "revoked" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_an_expired_token_gets_a_401_with_its_date(api, read_token):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = api.get("/api/searches/", **bearer(read_token))
    assert response.status_code == 401 and "expired on" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer", "Token abc", "Bearer two parts", "Basic YWxpY2U6cGFzcw=="])
def test_a_malformed_header_gets_a_401_that_shows_the_form(api, read_token, header):
    response = api.get("/api/searches/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and "'Bearer <token>'" in response.json()["error"]


@pytest.mark.django_db
def test_an_unknown_token_gets_a_401(api, read_token):
    response = api.get("/api/searches/", **bearer(read_token + "x"))
    assert response.status_code == 401 and "not valid" in response.json()["error"]


@pytest.mark.django_db
def test_a_token_of_a_deactivated_account_gets_a_401(api, alice, read_token):
    alice.is_active = False
    alice.save()
    assert api.get("/api/searches/", **bearer(read_token)).status_code == 401
