"""The account's token page: a token made there is shown once, works at once, and is revoked there."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gaweb.tokens.models import ApiToken

from .conftest import bearer


@pytest.mark.django_db
def test_make_use_and_revoke_a_token_from_the_page(alice, api, django_user_model):
    browser = Client()
    browser.force_login(alice)
    made = browser.post("/accounts/tokens/", {"name": "notebook", "scope": "write", "lifetime": "30"})
    assert made.status_code == 302  # a reload of the page it lands on makes no second token
    page = browser.get(made["Location"]).content.decode()
    token = re.search(r'<code id="token-value">([^<]+)</code>', page).group(1)
    assert "shown this once" in page
    assert api.get("/api/searches/", **bearer(token)).status_code == 200
    again = browser.get("/accounts/tokens/").content.decode()
    assert token not in again and ApiToken.objects.get().prefix in again  # listed, never shown again
    assert ApiToken.objects.count() == 1

    row = ApiToken.objects.get()
    other = django_user_model.objects.create_user(username="bob", password="another-password-2")
    intruder = Client()
    intruder.force_login(other)
    assert intruder.post(f"/accounts/tokens/{row.pk}/revoke/").status_code == 404  # only its owner's
    browser.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert api.get("/api/searches/", **bearer(token)).status_code == 401


@pytest.mark.django_db
def test_the_page_needs_a_signed_in_user():
    assert Client().get("/accounts/tokens/").status_code == 302
