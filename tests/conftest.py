from __future__ import annotations

import copy
import os
import uuid
from typing import Any

import pytest
from kombu import pools

from gaweb.celery import app
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


@pytest.fixture
def celery_to_test_redis(process_env, settings):
    """Make this process (a live server's, a test's own services) send jobs to the test Redis and
    queue, and read that queue as the reconciler does."""
    # Celery fills the default exchange and routing key in from the first queue it sends to,
    # and keeps them: they change with the queue here.
    names = ("broker_url", "task_default_queue", "task_default_exchange", "task_default_routing_key")
    saved = {name: app.conf[name] for name in names}
    queue = process_env["GAWEB_QUEUE"]
    app.conf.update(dict(zip(names, (process_env["REDIS_URL"], queue, queue, queue), strict=True)))
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE = process_env["REDIS_URL"], queue
    _drop_connections(app)
    yield
    app.conf.update(saved)
    _drop_connections(app)


def _drop_connections(app) -> None:
    """Forget the broker connections and the queue declarations made so far, so that the next
    job goes to the new broker and queue (Celery's sender keeps the queue it was made with, and
    kombu's pools, global, would hand out the closed connections of an earlier test)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    pools.reset()
    app.__dict__.pop("amqp", None)


class RowsRead:
    """Counts the rows that queries hand back to Python, through every Django cursor."""

    def __init__(self):
        self.count = 0

    def method(self, name: str):
        def fetch(cursor, *args, **kwargs):
            rows = getattr(cursor.cursor, name)(*args, **kwargs)
            self.count += (rows is not None) if name == "fetchone" else len(rows)
            return rows

        return fetch


@pytest.fixture
def rows_read(monkeypatch):
    """``rows_read.count``: rows read since the test began (``rows_read.count = 0`` to start again).

    Query counts alone miss a query that reads every row of a search: a bound on both is what
    keeps a page's cost independent of the search's size.
    """
    from django.db.backends.utils import CursorWrapper

    counter = RowsRead()
    for name in ("fetchone", "fetchmany", "fetchall"):
        monkeypatch.setattr(CursorWrapper, name, counter.method(name), raising=False)
    return counter
