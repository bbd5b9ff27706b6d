"""CSRF stays on for a browser's session: a token frees only the calls that carry it."""

from __future__ import annotations

import json

import pytest

from searches import services
from searches.models import Search


@pytest.mark.django_db
def test_a_session_post_without_the_csrf_token_is_refused(api, alice, small_spec):
    api.force_login(alice)
    response = api.post("/api/searches/", json.dumps(small_spec), content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]
    assert not Search.objects.exists()


@pytest.mark.django_db
def test_a_token_reads_pages_but_never_posts_a_page_s_form(api, alice, write_token, small_spec):
    search = services.search_create(spec=small_spec, owner=alice, execution=Search.Execution.INLINE)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {write_token}"}
    assert api.get(f"/searches/{search.pk}/", **bearer).status_code == 200  # reads: downloads, pages
    response = api.post(f"/searches/{search.pk}/cancel/", **bearer)
    assert response.status_code == 403  # a page's form: the session's, with its CSRF token; a token does not post it
    search.refresh_from_db()
    assert search.status == Search.Status.PENDING
