from __future__ import annotations

import copy
import os
import uuid
from typing import Any

import pytest

from gaweb.runtime.redis_server import PrivateRedis
from searches.spec.presets import preset

from .processes import Supervised, Workers, database_url, free_port


@pytest.fixture
def small_spec() -> dict[str, Any]:
    """A quick synthetic search over one trait of each type."""
    return {
        "name": "small",
        "dataset": "digits",
        "objective": "synthetic",
        "seed": 7,
        "ga": {"population": 6, "generations": 3, "elite_previous": 3, "elite_all_time": 3, "immigrants": 1},
        "traits": [
            {"name": "flag", "type": "bool"},
            {"name": "width", "type": "int", "low": 1, "high": 9, "step": 2},
            {"name": "dropout", "type": "float", "low": 0.0, "high": 0.5},
            {"name": "learning_rate", "type": "geometric_float", "low": 0.0001, "high": 0.1},
            {"name": "units", "type": "geometric_int", "low": 8, "high": 256, "step": 2},
            {"name": "optimizer", "type": "choice", "choices": ["sgd", "adam", "rmsprop"]},
        ],
    }


@pytest.fixture
def synthetic_spec() -> dict[str, Any]:
    """The shipped synthetic example: the reference space and the reference algorithm."""
    return copy.deepcopy(preset("synthetic"))


# --- Real processes: a private Redis, Celery workers (see tests/processes.py) -------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A Redis of the tests' own, on a free port: runs never collide with another Redis user."""
    server = PrivateRedis(port=free_port(), folder=tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def process_env(redis_server, transactional_db):
    """The environment that makes a subprocess use the test database and the test Redis."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "GAWEB_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "GAWEB_LOG_LEVEL": "INFO",
    }


@pytest.fixture
def workers(process_env, tmp_path):
    pool = Workers(process_env, tmp_path)
    yield pool
    pool.stop()


@pytest.fixture
def supervised(process_env, tmp_path):
    """``runworkers`` with short fault timings, so that the fault tests take seconds."""
    fast = {
        "GAWEB_HEARTBEAT_SECONDS": "1",
        "GAWEB_STALE_AFTER_SECONDS": "3",
        "GAWEB_RECONCILE_SECONDS": "1",
        "GAWEB_RESEND_AFTER_SECONDS": "2",
        "GAWEB_MAX_ATTEMPTS": "2",
    }
    runner = Supervised(process_env, tmp_path / "var", **fast)
    yield runner
    runner.stop()
