"""A training process's memory over many candidates: does it stay flat?

Starts a private Redis and one real Celery worker (as ``runworkers`` plans it), runs a random
search of ``--candidates`` distinct ``digits`` networks (the digits demo's space, with a continuous
learning rate so no genome repeats), one epoch each, and reads what each candidate's training
process said of itself when it recorded the result: its resident memory (``timings.rss_mb``) and
its process id. Prints RSS per candidate, the peak after the first 50 and after all, and how many
times the process was replaced; writes the JSON and a plot.

    .venv/bin/python bench/memory_soak.py --candidates 1000          # about 15 minutes on 2 cores
    .venv/bin/python bench/memory_soak.py --candidates 300 --growth 0 # the rule off: how memory grows
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import time
from pathlib import Path

from _common import ROOT, isolated_gaweb, start_cpu_workers

SPEC = json.loads((ROOT / "examples" / "digits-demo.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument(
        "--growth", type=int, default=None,
        help="GAWEB_WORKER_MEMORY_GROWTH for the worker (percent; 0: never replaced for growth); default: gaweb's",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "memory_soak.json")
    args = parser.parse_args()
    if args.growth is not None:
        os.environ["GAWEB_WORKER_MEMORY_GROWTH"] = str(args.growth)
    var, port = isolated_gaweb("gaweb-soak-")

    from django.conf import settings

    from gaweb.runtime.redis_server import PrivateRedis
    from searches import services
    from searches.models import Entity, Search

    redis = PrivateRedis(port=port, folder=var / "redis").start()
    (worker,) = start_cpu_workers(1, var / "worker.log", cpu_count=os.cpu_count() or 1)
    began = time.monotonic()
    try:
        spec = {**SPEC, "name": "memory soak", "seed": 3}
        spec["ga"] = {"population": min(args.candidates, 1000), "generations": max(1, args.candidates // 1000),
                      "strategy": "random", "elite_previous": 2, "elite_all_time": 2}  # fmt: skip
        spec["training"] = {**spec["training"], "epochs": 1}
        spec["traits"] = [
            {**t, "type": "geometric_float", "low": 1e-4, "high": 1e-1} if t["name"] == "learning_rate" else t
            for t in spec["traits"]
        ]
        search = services.search_create(spec=spec)
        services.search_start(search_id=search.pk)
        print(f"training {args.candidates} digits candidates on one worker ...", flush=True)
        shown = 0
        while Search.objects.get(pk=search.pk).is_active:
            time.sleep(2)
            done = Entity.objects.filter(search=search, status=Entity.Status.DONE).count()
            if done >= shown + 50:
                shown = done - done % 50
                print(f"  {done} trained, {time.monotonic() - began:.0f} s", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        redis.stop()
    rows = list(
        Entity.objects.filter(search=search, status=Entity.Status.DONE)
        .order_by("finished_at")
        .values_list("timings", "train_seconds", "started_at", "finished_at")
    )
    rss = [timings.get("rss_mb") for timings, *_ in rows]
    pids = [timings.get("pid") for timings, *_ in rows]
    replaced = sum(1 for a, b in itertools.pairwise(pids) if a != b)
    wall = (rows[-1][3] - rows[0][2]).total_seconds()
    result = {
        "benchmark": "memory_soak",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "candidates": len(rows),
        "growth_percent": settings.GAWEB_WORKER_MEMORY_GROWTH,
        "rss_mb": rss,
        "pid": pids,
        "processes_replaced": replaced,
        "peak_after_50_mb": max(rss[:50]),
        "peak_mb": max(rss),
        "wall_seconds": wall,
        "seconds_per_candidate": wall / len(rows),
        "fit_seconds_per_candidate": sum(r[1] for r in rows) / len(rows),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"{len(rows)} candidates in {wall:.0f} s ({wall / len(rows):.2f} s each, "
        f"{result['fit_seconds_per_candidate']:.2f} s of it in fit); process replaced {replaced} times"
    )
    print(
        f"resident memory: first {rss[0]:.0f} MB, peak after 50 {result['peak_after_50_mb']:.0f} MB, "
        f"peak after {len(rows)} {result['peak_mb']:.0f} MB ({result['peak_mb'] / result['peak_after_50_mb']:.2f}x)"
    )
    _plot(result, args.output.with_suffix(".png"))


def _plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 3.5))
    axis.plot(range(1, len(result["rss_mb"]) + 1), result["rss_mb"], linewidth=1)
    axis.set_xlabel("candidate")
    axis.set_ylabel("training process RSS (MB)")
    axis.set_ylim(bottom=0)
    axis.set_title(
        f"{result['candidates']} digits candidates on one worker: "
        f"replaced {result['processes_replaced']} times (growth limit {result['growth_percent']}%)"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
