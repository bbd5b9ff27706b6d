from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gaweb.tokens.models import ApiToken


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
