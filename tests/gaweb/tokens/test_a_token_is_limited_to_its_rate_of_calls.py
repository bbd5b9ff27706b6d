"""GAWEB_TOKEN_RATE: each token's calls are counted (in Redis, the system's count); past the rate, a 429
that says when to try again. A Redis that is down never takes the API down with it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from gaweb.tokens.models import ApiToken

from .conftest import bearer

ROOT = Path(__file__).resolve().parents[3]


def test_the_call_past_the_rate_gets_a_429_saying_when_to_try_again(api, settings, read_token):
    settings.GAWEB_TOKEN_RATE = "3/m"
    for _ in range(3):
        assert api.get("/api/searches/", **bearer(read_token)).status_code == 200
    refused = api.get("/api/searches/", **bearer(read_token))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "3/m" in refused.json()["error"] and "GAWEB_TOKEN_RATE" in refused.json()["error"]


def test_each_token_has_its_own_count(api, settings, alice, read_token):
    settings.GAWEB_TOKEN_RATE = "2/m"
    other = ApiToken.issue(user=alice, name="second")[1]
    for _ in range(2):
        api.get("/api/searches/", **bearer(read_token))
    assert api.get("/api/searches/", **bearer(read_token)).status_code == 429
    assert api.get("/api/searches/", **bearer(other)).status_code == 200


def test_calls_signed_in_with_the_session_are_not_counted(client, settings, alice):
    settings.GAWEB_TOKEN_RATE = "1/m"
    client.force_login(alice)
    assert [client.get("/api/searches/").status_code for _ in range(3)] == [200, 200, 200]


def test_no_rate_means_no_limit(api, settings, read_token):
    settings.GAWEB_TOKEN_RATE = ""
    assert {api.get("/api/searches/", **bearer(read_token)).status_code for _ in range(5)} == {200}


def test_a_redis_that_cannot_be_reached_lets_calls_through_and_says_so(api, settings, read_token, caplog):
    settings.GAWEB_TOKEN_RATE = "1/m"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": "redis://127.0.0.1:9/0"},
    }
    with caplog.at_level(logging.WARNING, logger="gaweb.tokens"):
        assert [api.get("/api/searches/", **bearer(read_token)).status_code for _ in range(2)] == [200, 200]
    assert "not counted" in caplog.text


def test_a_malformed_rate_stops_gaweb_from_starting_saying_how_to_write_it(tmp_path):
    env = {**os.environ, "GAWEB_VAR_DIR": str(tmp_path), "GAWEB_TOKEN_RATE": "ten a minute"}
    started = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode != 0
    assert "GAWEB_TOKEN_RATE='ten a minute': calls per period, like 600/m" in started.stderr
