"""Workers send Celery's task events, so that Flower or ``celery events`` watching a gaweb
cluster see each job: sent, received, started, succeeded, and the worker that ran it."""

from __future__ import annotations

import json
import threading

from tests.processes import run_command


def test_the_events_of_a_search_reach_a_monitor_on_the_broker(workers, process_env, tmp_path):
    from gaweb.celery import app

    seen: list[dict] = []
    with app.connection_for_read(process_env["REDIS_URL"]) as connection:
        receiver = app.events.Receiver(connection, handlers={"*": seen.append})
        capture = lambda: receiver.capture(limit=None, timeout=None, wakeup=False)  # noqa: E731
        listening = threading.Thread(target=capture, daemon=True)
        listening.start()
        try:
            workers.start(1, preload_keras=False)
            spec = {
                "name": "watched", "objective": "synthetic", "seed": 3,
                "ga": {"population": 4, "generations": 1, "elite_previous": 2, "elite_all_time": 2},
                "traits": [{"name": "x", "type": "float", "low": 0, "high": 1}],
            }  # fmt: skip
            (tmp_path / "spec.json").write_text(json.dumps(spec))
            finished = run_command(process_env, "runsearch", str(tmp_path / "spec.json"), "--wait", timeout=300)
            assert finished.returncode == 0, finished.stderr + workers.logs()
        finally:
            receiver.should_stop = True
            listening.join(timeout=10)
    kinds = [event["type"] for event in seen]
    for kind in ("task-sent", "task-received", "task-started", "task-succeeded"):
        assert kinds.count(kind) == 4, (kind, sorted(set(kinds)))
    succeeded = [event for event in seen if event["type"] == "task-succeeded"]
    assert all(event["hostname"].startswith("cpu0@") for event in succeeded)  # which worker ran it
