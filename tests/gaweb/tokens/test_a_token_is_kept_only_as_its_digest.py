"""The token itself is shown once and kept nowhere: only its SHA-256 digest and first characters."""

from __future__ import annotations

import hashlib

import pytest

from gaweb.tokens.models import ApiToken


@pytest.mark.django_db
def test_the_database_holds_the_digest_and_a_prefix_never_the_token(alice):
    row, token = ApiToken.issue(user=alice, name="ci")
    assert token.startswith("gaweb_") and len(token) > 40
    stored = ApiToken.objects.filter(pk=row.pk).values()[0]
    assert token not in [str(value) for value in stored.values()]
    assert stored["digest"] == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored["prefix"]) and len(stored["prefix"]) < len(token) // 3
    assert ApiToken.issue(user=alice, name="again")[1] != token
