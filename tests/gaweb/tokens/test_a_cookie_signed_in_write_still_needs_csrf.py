"""CSRF stays on for a browser's session: a token frees only the calls that carry it."""

from __future__ import annotations

import json

import pytest

from searches.models import Search


@pytest.mark.django_db
def test_a_session_post_without_the_csrf_token_is_refused(api, alice, small_spec):
    api.force_login(alice)
    response = api.post("/api/searches/", json.dumps(small_spec), content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]
    assert not Search.objects.exists()
