"""Every URL pattern of the project, walked rather than sampled: an anonymous GET and POST of each is
sent to sign in (a page) or answered 401 (the API), unless the route is one of the few public ones,
each named here with the reason. A new route is checked the day it is added."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Routes anyone may reach, and why.
PUBLIC = {
    "accounts/login/": "the sign-in page itself",
    "accounts/logout/": "signing out (POST only), harmless without a session",
    "metrics": "Prometheus's scrape: guarded by address or bearer token instead (tests/gaweb)",
    "api/schema/": "the API's description: the same for everyone, no data (a client generator reads it)",
    "api/docs/": "that description drawn by Swagger UI; every call it makes needs a token or a session",
}


def _routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # Django's admin guards itself (test_access: the admin needs staff)
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _url(route: str) -> str:
    return "/" + route.replace("<int:pk>", "1")


ROUTES = sorted(set(_routes()))


def test_the_walk_finds_the_routes_it_should():
    assert {"", "searches/<int:pk>/", "api/searches/", "api/searches/<int:pk>/extend/"} <= set(ROUTES)
    assert set(PUBLIC) <= set(ROUTES), "a public route named here no longer exists"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_caller_is_refused(client, route, method):
    response = getattr(client, method)(_url(route))
    if route.startswith("api/"):
        assert response.status_code == 401, (route, method, response.status_code)
    else:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), (
            route,
            method,
            response.status_code,
        )


@pytest.mark.django_db
def test_the_public_description_of_the_api_holds_no_data_and_takes_no_writes(client, django_user_model):
    django_user_model.objects.create_user("zelda-7f3c", password="owner-pass-1")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and "zelda-7f3c" not in schema.content.decode()
    assert client.post("/api/schema/").status_code == 405 and client.post("/api/docs/").status_code == 405
