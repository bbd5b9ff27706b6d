"""What one SIGKILL of a worker's training process costs a search.

Starts a private Redis and one real CPU worker (as ``runworkers`` plans it, with the
default stale-heartbeat timeout of 180 s), and runs the same small ``digits`` search
twice: once untouched, once with the worker's training process (its pool child) killed
with SIGKILL in the middle of a candidate, as the kernel's out-of-memory killer would.
Reports both wall times and their difference: the time the kill cost.

    .venv/bin/python bench/kill_recovery.py            # about 2 minutes on 2 CPU cores
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import time
from pathlib import Path

from _common import ROOT, isolated_gaweb, shown, start_cpu_workers

SPEC = json.loads((ROOT / "examples" / "digits-demo.json").read_text())


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def run_search(label: str, spec: dict, *, kill_after_seconds: float | None, worker_pid: int) -> dict:
    from searches import services
    from searches.models import Entity, Search

    search = services.search_create(spec={**spec, "name": f"kill recovery: {label}"})
    started = time.monotonic()
    services.search_start(search_id=search.pk)
    killed = None
    while Search.objects.get(pk=search.pk).is_active:
        running = Entity.objects.filter(search=search, status=Entity.Status.RUNNING).first()
        if kill_after_seconds is not None and killed is None and running is not None:
            training_for = time.monotonic() - started
            if training_for >= kill_after_seconds:
                (child,) = children_of(worker_pid)
                os.kill(child, signal.SIGKILL)
                killed = {"entity": running.pk, "at_seconds": round(training_for, 1)}
                print(f"  killed the training process {child} while it trained entity #{running.pk}", flush=True)
        time.sleep(0.2)
    wall = time.monotonic() - started
    entities = Entity.objects.filter(search=search)
    result = {
        "wall_seconds": round(wall, 1),
        "status": Search.objects.get(pk=search.pk).status,
        "trained": entities.filter(status=Entity.Status.DONE).count(),
        "attempts": sum(entities.values_list("attempts", flat=True)),
        "killed": killed,
    }
    print(f"{label}: {result}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=4)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=8.0, help="seconds into the search (mid-candidate)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "kill_recovery.json")
    args = parser.parse_args()

    var, port = isolated_gaweb("gaweb-kill-")
    from django.conf import settings

    from gaweb.runtime.redis_server import PrivateRedis

    spec = {**SPEC, "seed": 21}
    elites = max(1, args.population // 2)
    spec["ga"] = {**SPEC["ga"], "population": args.population, "generations": args.generations}
    spec["ga"].update(elite_previous=elites, elite_all_time=elites)
    redis = PrivateRedis(port=port, folder=var / "redis").start()
    (worker,) = start_cpu_workers(1, var / "worker.log", cpu_count=os.cpu_count() or 1)
    try:
        while not children_of(worker.pid):
            time.sleep(0.2)
        result = {
            "benchmark": "kill_recovery",
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "candidates": args.population * args.generations,
            "stale_after_seconds": settings.GAWEB_STALE_AFTER_SECONDS,
            "untouched": run_search("untouched", spec, kill_after_seconds=None, worker_pid=worker.pid),
            "one_kill": run_search("one kill", spec, kill_after_seconds=args.kill_after, worker_pid=worker.pid),
        }
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        redis.stop()
    lost = result["one_kill"]["wall_seconds"] - result["untouched"]["wall_seconds"]
    result["seconds_lost_to_the_kill"] = round(lost, 1)
    print(f"one SIGKILL of the training process cost {result['seconds_lost_to_the_kill']} s "
          f"(the stale-heartbeat timeout is {result['stale_after_seconds']} s)")  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {shown(args.output)}")


if __name__ == "__main__":
    main()
