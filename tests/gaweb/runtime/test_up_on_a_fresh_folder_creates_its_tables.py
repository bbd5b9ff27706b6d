"""``manage.py up`` on a folder it has never seen (no database yet) creates its tables, then runs:
a user who runs it without ``make run``'s ``migrate`` step gets a working gaweb, not a traceback."""

from __future__ import annotations

import json
import os

from tests.processes import free_port, run_command


def test_up_creates_the_database_then_runs_a_search_to_its_end(redis_server, tmp_path):
    spec = {
        "name": "fresh folder", "objective": "synthetic", "seed": 1,
        "ga": {"population": 4, "generations": 2, "elite_previous": 2, "elite_all_time": 2},
        "traits": [{"name": "x", "type": "float", "low": 0, "high": 1}],
    }  # fmt: skip
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    env = {
        **os.environ, "GAWEB_VAR_DIR": str(tmp_path / "var"), "REDIS_URL": redis_server.url,
        "GAWEB_PRELOAD_KERAS": "0", "GAWEB_QUEUE": "fresh-folder",
    }  # fmt: skip
    env.pop("DATABASE_URL", None)
    ran = run_command(
        env, "up", "--port", str(free_port()), "--demo", str(tmp_path / "spec.json"), "--exit-after-demo", timeout=240
    )
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    assert "no such table" not in ran.stderr
    assert "created the account admin" in ran.stdout and "completed" in ran.stdout
