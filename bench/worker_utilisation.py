"""How busy 8 workers of different speeds are over a whole search, generation by generation.

Eight real Celery workers (through a private Redis) run a synthetic search whose delays
stand in for training: mean ``--delay`` seconds with a coefficient of variation of 0.3,
and one worker three times slower than the others (``GAWEB_SIMULATED_SLOWDOWN``), as when
fast and old GPUs are mixed. Utilisation is the share of the workers' time spent
training: the sum of the entities' training seconds over (workers x wall time), per
generation and over the whole search. This is the baseline for an asynchronous mode.

    .venv/bin/python bench/worker_utilisation.py        # about 1 minute
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from _common import ROOT, isolated_gaweb, shown, start_cpu_workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs" / "benchmarks")
    args = parser.parse_args()

    var, port = isolated_gaweb("gaweb-util-")

    from gaweb.runtime.redis_server import PrivateRedis
    from searches import services
    from searches.models import Entity, Search

    redis = PrivateRedis(port=port, folder=var / "redis").start()
    # cpu0 is the old GPU, three times slower than the others.
    children = start_cpu_workers(
        args.workers, var / "workers.log", cpu_count=args.workers,
        env_for=lambda index: {"GAWEB_PRELOAD_KERAS": "0", "GAWEB_SIMULATED_SLOWDOWN": "3" if index == 0 else "1"},
    )  # fmt: skip
    try:
        time.sleep(4)  # let every worker connect, so that none misses the first generation
        spec = {
            "name": "utilisation", "objective": "synthetic", "seed": 3,
            "ga": {
                "population": args.population, "generations": args.generations, "mutation_rate": 1.0,
                "elite_previous": min(10, args.population), "elite_all_time": min(10, args.population),
            },
            "training": {"synthetic_delay": args.delay, "synthetic_delay_cv": 0.3},
            "traits": [
                {"name": "x", "type": "float", "low": 0, "high": 1},
                {"name": "y", "type": "float", "low": 0, "high": 1},
            ],
        }  # fmt: skip
        search = services.search_create(spec=spec)
        services.search_start(search_id=search.pk)
        print(f"{args.workers} workers, {args.generations} generations of {args.population} ...", flush=True)
        while Search.objects.get(pk=search.pk).is_active:
            time.sleep(0.5)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=60)
        redis.stop()

    rows = list(
        Entity.objects.filter(search=search, status=Entity.Status.DONE).values_list(
            "generation__number", "started_at", "finished_at", "train_seconds", "worker"
        )
    )
    per_generation = []
    for number in range(args.generations):
        mine = [r for r in rows if r[0] == number]
        wall = (max(r[2] for r in mine) - min(r[1] for r in mine)).total_seconds()
        busy = sum(r[3] for r in mine)
        per_generation.append({"generation": number + 1, "entities": len(mine), "wall_seconds": wall,
                               "utilisation": busy / (args.workers * wall)})  # fmt: skip
    wall = (max(r[2] for r in rows) - min(r[1] for r in rows)).total_seconds()
    busy = sum(r[3] for r in rows)
    by_worker = {}
    for r in rows:
        by_worker.setdefault(r[4].split("@")[0], []).append(r[3])
    result = {
        "benchmark": "worker_utilisation", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "workers": args.workers,
        "population": args.population, "generations": args.generations, "mean_delay_seconds": args.delay,
        "delay_cv": 0.3, "slow_worker": "cpu0, 3x slower", "wall_seconds": wall,
        "utilisation": busy / (args.workers * wall), "per_generation": per_generation,
        "entities_per_worker": {w: len(v) for w, v in sorted(by_worker.items())},
    }  # fmt: skip
    print(f"\n{'generation':>10} {'wall s':>8} {'utilisation':>12}")
    for row in per_generation:
        print(f"{row['generation']:>10} {row['wall_seconds']:>8.1f} {100 * row['utilisation']:>11.1f}%")
    print(f"{'all':>10} {wall:>8.1f} {100 * result['utilisation']:>11.1f}%")
    print("entities per worker:", result["entities_per_worker"])
    args.output_dir.mkdir(parents=True, exist_ok=True)
    _plot(per_generation, result["utilisation"], args.output_dir / "worker_utilisation.png")
    output = args.output_dir / "worker_utilisation.json"
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {shown(output)} and its plot")


def _plot(per_generation: list[dict], overall: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 3.6))
    axes.bar(
        [r["generation"] for r in per_generation], [100 * r["utilisation"] for r in per_generation], color="#4a6fa5"
    )
    axes.axhline(100 * overall, color="#e67e22", linestyle="--", label=f"whole search: {100 * overall:.0f}%")
    axes.set_xlabel("generation")
    axes.set_ylabel("workers' time training (%)")
    axes.set_ylim(0, 100)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    main()
