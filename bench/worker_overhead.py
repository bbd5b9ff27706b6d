"""How much of a worker's time is not training, against a fresh Python process per entity.

Starts a private Redis and one real Celery worker, runs a 20-entity ``digits`` search
with the ``keras`` objective through them, and measures from the database:

* the share of the worker's wall time (first claim to last result) not spent in
  ``model.fit``: claiming, loading, building, recording, advancing, waiting;
* the dispatch gap: from an entity being ready (queued, and the worker free) to its
  training starting.

Then trains the same 20 genomes the naive way, one fresh ``python`` process each
(TensorFlow imported and the dataset loaded every time), and reports the same share.

    .venv/bin/python bench/worker_overhead.py          # about 3 minutes on 2 CPU cores
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, isolated_gaweb, percentile, shown, start_cpu_workers, summary
from _plots import plot_worker_overhead

SPEC = json.loads((ROOT / "examples" / "digits-demo.json").read_text())
NAIVE = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
import os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaweb.settings")
import django; django.setup()
from workers.training.datasets import DatasetCache
from workers.training.trainer import train_candidate
data = DatasetCache(data_roots=[], cifar10_path=None).get(
    "digits", seed=1, validation_fraction=0.2, max_train_samples=None, image_size=32)
outcome = train_candidate(json.loads(sys.argv[1]), data, epochs={epochs}, seed=1)
print(json.dumps({{"fit": outcome.timings["fit"], "accuracy": outcome.accuracy}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "worker_overhead.json")
    parser.add_argument("--replot", action="store_true", help="only draw the PNG again from the JSON")
    args = parser.parse_args()
    if args.replot:
        plot_worker_overhead(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
        return

    var, port = isolated_gaweb("gaweb-bench-")

    from gaweb.runtime.redis_server import PrivateRedis
    from searches import services
    from searches.models import Entity, Search

    redis = PrivateRedis(port=port, folder=var / "redis").start()
    (worker,) = start_cpu_workers(1, var / "worker.log", cpu_count=os.cpu_count() or 1)
    try:
        spec = {**SPEC, "name": "overhead benchmark", "seed": 11}
        elites = min(5, args.entities)
        spec["ga"] = {**spec["ga"], "population": args.entities, "generations": 1}
        spec["ga"].update(elite_previous=elites, elite_all_time=elites)
        spec["training"] = {**spec["training"], "epochs": args.epochs}
        search = services.search_create(spec=spec)
        services.search_start(search_id=search.pk)
        print(f"training {args.entities} digits entities on one worker ...", flush=True)
        while Search.objects.get(pk=search.pk).is_active:
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        redis.stop()
    entities = list(Entity.objects.filter(search=search, status=Entity.Status.DONE).order_by("started_at"))
    wall = (entities[-1].finished_at - entities[0].started_at).total_seconds()
    fit = sum(e.train_seconds for e in entities)
    build = sum(e.timings.get("build", 0.0) for e in entities)
    loading = sum(e.timings.get("dataset", 0.0) for e in entities)
    gaps = [(entities[0].started_at - entities[0].created_at).total_seconds()] + [
        (b.started_at - max(a.finished_at, b.created_at)).total_seconds() for a, b in itertools.pairwise(entities)
    ]
    result = {
        "benchmark": "worker_overhead",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "entities": len(entities),
        "epochs": args.epochs,
        "gaweb": {
            "wall_seconds": wall, "fit_seconds": fit, "not_training_share": (wall - fit) / wall,
            "build_seconds": build, "dataset_seconds": loading,
            "other_seconds": wall - fit - build - loading,
            "seconds_per_entity": [(e.finished_at - e.started_at).total_seconds() for e in entities],
            "dispatch_gap_median": percentile(gaps, 0.5), "dispatch_gap_p95": percentile(gaps, 0.95),
        },
    }  # fmt: skip
    print(f"gaweb worker: {wall:.1f}s wall, {fit:.1f}s in fit: {100 * (wall - fit) / wall:.1f}% not training")
    print(
        f"  of which building networks {build:.1f}s, datasets {loading:.2f}s, "
        f"the rest {wall - fit - build - loading:.1f}s"
    )
    print(f"dispatch gap: median {percentile(gaps, 0.5) * 1000:.0f} ms, p95 {percentile(gaps, 0.95) * 1000:.0f} ms")

    if not args.skip_naive:
        walls, fits = [], []
        for entity in entities:
            began = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", NAIVE.format(root=str(ROOT), epochs=args.epochs), json.dumps(entity.genome)],
                capture_output=True, text=True, check=True, env=os.environ,
            )  # fmt: skip
            walls.append(time.perf_counter() - began)
            fits.append(json.loads(out.stdout.strip().splitlines()[-1])["fit"])
        naive_wall, naive_fit = sum(walls), sum(fits)
        result["naive"] = {
            "wall_seconds": naive_wall, "fit_seconds": naive_fit,
            "not_training_share": (naive_wall - naive_fit) / naive_wall, "seconds_per_process": walls,
        }  # fmt: skip
        result["wall_ratio_naive_to_gaweb"] = naive_wall / wall
        print(f"naive, a process per entity: {naive_wall:.1f}s wall, {naive_fit:.1f}s in fit: "
              f"{100 * (naive_wall - naive_fit) / naive_wall:.1f}% not training; "
              f"{summary(walls)} s per process")  # fmt: skip
        print(f"wall time, naive / gaweb: {naive_wall / wall:.2f}x")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    plot_worker_overhead(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
    print(f"written {shown(args.output)}")


if __name__ == "__main__":
    main()
