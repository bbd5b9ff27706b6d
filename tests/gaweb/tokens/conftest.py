from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gaweb.tokens.models import ApiToken


@pytest.fixture(autouse=True)
def calls_counted_in_the_test_redis(settings, redis_server):
    """Token calls are counted in Redis: the tests' own server, never the machine's."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": redis_server.url, "KEY_PREFIX": uuid.uuid4().hex},
    }


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(username="alice", password="a-long-password-1")


@pytest.fixture
def api():
    """A client that checks CSRF as a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def write_token(alice) -> str:
    return ApiToken.issue(user=alice, name="ci", scope=ApiToken.Scope.WRITE)[1]


@pytest.fixture
def read_token(alice) -> str:
    return ApiToken.issue(user=alice, name="notebook")[1]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
