"""50 clients poll a running search's dashboard state for 60 seconds, over loopback.

Sets up a fresh SQLite database with a search of 10,000 entities whose last generation
of 100 is being trained by a real Celery worker (the synthetic objective, 0.5 s each,
through a private Redis), serves it with gunicorn as `up` does, and runs 50 client
threads that each poll ``/api/searches/<id>/?version=<last seen>`` once a second,
as the dashboard does. Reports requests, errors and latency percentiles.

    .venv/bin/python bench/load_dashboard.py                 # about 2 minutes
    .venv/bin/python bench/load_dashboard.py --clients 10 --seconds 5 --entities 1000   # a quick try
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from _common import ROOT, isolated_gaweb, percentile, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "load_dashboard.json")
    args = parser.parse_args()
    if args.clients > 200 or args.seconds > 600:
        sys.exit("bounded: at most 200 clients for at most 600 seconds")

    var, redis_port = isolated_gaweb("gaweb-load-")
    web_port = _free_port()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from gaweb.runtime.redis_server import PrivateRedis
    from gaweb.runtime.supervisor import plan_workers
    from searches import services
    from searches.models import Entity, Search
    from tests.simulate import simulated_search

    user = get_user_model().objects.create_user("load", password="load-pass-1")
    session = SessionStore()
    session["_auth_user_id"], session["_auth_user_backend"] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    print(f"writing a search of {args.entities:,} entities ...", flush=True)
    search = simulated_search(entities=args.entities, owner=user, last_generation_queued=True, delay=0.5)

    redis = PrivateRedis(port=redis_port, folder=var / "redis").start()
    children = []
    try:
        env = {**os.environ, "GAWEB_PRELOAD_KERAS": "0"}
        plan = plan_workers(
            gpus=[], cpu_workers=1, cpu_count=1, python=sys.executable,
            queue=settings.CELERY_TASK_DEFAULT_QUEUE, max_memory_mb=settings.GAWEB_WORKER_MAX_MEMORY_MB,
        )[0]  # fmt: skip
        log = open(var / "processes.log", "w")  # noqa: SIM115
        children.append(subprocess.Popen(plan.argv, env={**env, **plan.env}, cwd=ROOT, stdout=log, stderr=log))
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "gaweb.wsgi", "--bind", f"127.0.0.1:{web_port}",
                 "--workers", "1", "--threads", "8"],
                env=env, cwd=ROOT, stdout=log, stderr=log,
            )
        )  # fmt: skip
        services.entities_resend_lost(waiting_longer_than=timedelta(0))  # the last generation's jobs
        url = f"http://127.0.0.1:{web_port}/api/searches/{search.pk}/"
        _wait_for(url, session.session_key)
        print(f"{args.clients} clients polling for {args.seconds:.0f}s ...", flush=True)
        samples = _load(url, session.session_key, clients=args.clients, seconds=args.seconds)
        trained_during = (
            Entity.objects.filter(search=search, status=Entity.Status.DONE).count() - (args.entities // 100 - 1) * 100
        )
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=30)
        redis.stop()

    ok = [s for s in samples if s["status"] == 200]
    errors = [s for s in samples if s["status"] != 200]
    latencies = [s["ms"] for s in ok]
    full = [s["ms"] for s in ok if not s["unchanged"]]
    result = {
        "benchmark": "load_dashboard", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "database": "SQLite",
        "entities": args.entities, "clients": args.clients, "seconds": args.seconds,
        "requests": len(samples), "errors": len(errors), "error_examples": errors[:5],
        "median_ms": statistics.median(latencies), "p95_ms": percentile(latencies, 0.95), "max_ms": max(latencies),
        "full_state_answers": len(full), "full_state_p95_ms": percentile(full, 0.95) if full else None,
        "entities_trained_during_the_load": trained_during,
        "search_status_after": Search.objects.get(pk=search.pk).status,
    }  # fmt: skip
    print(json.dumps({k: v for k, v in result.items() if k != "error_examples"}, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {shown(args.output)}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, session_key: str, timeout: float = 30) -> tuple[int, bytes]:
    headers = {"Cookie": f"sessionid={session_key}", "Host": "localhost", "Accept-Encoding": "gzip"}  # as browsers do
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return response.status, body
    except urllib.error.HTTPError as error:
        return error.code, b""
    except OSError as error:
        return -1, str(error).encode()


def _wait_for(url: str, session_key: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _get(url, session_key, timeout=5)[0] == 200:
            return
        time.sleep(0.5)
    sys.exit("the web server did not answer")


def _load(url: str, session_key: str, *, clients: int, seconds: float) -> list[dict]:
    samples: list[dict] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        version = ""
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            status, body = _get(f"{url}?version={version}", session_key)
            elapsed = (time.perf_counter() - began) * 1000
            unchanged = False
            if status == 200:
                # The version comes first: read it without parsing the whole state (the client's
                # CPU is the server's CPU on this machine).
                head = body[:120].decode("utf-8", "replace")
                version = re.search(r'"version": "([0-9a-f]+)"', head).group(1)
                unchanged = '"unchanged": true' in head
            with lock:
                samples.append({"status": status, "ms": elapsed, "unchanged": unchanged})
            time.sleep(max(0.0, 1.0 - elapsed / 1000))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


if __name__ == "__main__":
    main()
