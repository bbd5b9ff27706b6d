"""``manage.py createtoken`` makes a token for scripts set up from a terminal."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gaweb.tokens.models import ApiToken


@pytest.mark.django_db
def test_it_prints_a_token_that_works_and_refuses_an_unknown_account(alice, api):
    out = io.StringIO()
    call_command("createtoken", "alice", "--scope", "write", "--days", "7", stdout=out)
    token = out.getvalue().strip()
    row = ApiToken.objects.get()
    assert row.writes and row.expires_at is not None
    assert api.get("/api/searches/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    with pytest.raises(CommandError, match="no account 'nobody'"):
        call_command("createtoken", "nobody")
