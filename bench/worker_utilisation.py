"""How busy 8 workers of different speeds are, in generational and in steady-state mode.

Eight real Celery workers (through a private Redis) run the same synthetic search twice,
once per ``ga.mode``; delays stand in for training: mean ``--delay`` seconds with a
coefficient of variation of 0.3, and one worker three times slower than the others
(``GAWEB_SIMULATED_SLOWDOWN``), as when fast and old GPUs are mixed. Utilisation is the
share of the workers' time spent training: the sum of the entities' training seconds over
(workers x wall time), per generation and over the whole search; throughput is the
candidates evaluated per worker-hour.

Search quality at equal evaluations, the other half of the question, is simulated without
workers: 30 seeds of the synthetic landscape, each run generational and steady-state with
the same 8 workers' speeds (a discrete-event simulation of who finishes when).

    .venv/bin/python bench/worker_utilisation.py        # about 2 minutes
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import platform
import random
import statistics
import time
from pathlib import Path

from _common import ROOT, isolated_gaweb, shown, start_cpu_workers

MODES = ("generational", "steady_state")
DELAY_CV = 0.3
SLOWDOWN = 3.0


def run_search(mode: str, args) -> dict:
    from searches import services
    from searches.models import Entity, Search

    spec = {
        "name": f"utilisation {mode}", "objective": "synthetic", "seed": 3,
        "ga": {
            "population": args.population, "generations": args.generations, "mode": mode,
            "elite_previous": min(10, args.population), "elite_all_time": min(10, args.population),
        },
        "training": {"synthetic_delay": args.delay, "synthetic_delay_cv": DELAY_CV},
        "traits": [{"name": n, "type": "float", "low": 0, "high": 1} for n in ("x", "y")],
    }  # fmt: skip
    search = services.search_create(spec=spec)
    services.search_start(search_id=search.pk)
    print(f"{mode}: {args.workers} workers, {args.generations} generations of {args.population} ...", flush=True)
    while Search.objects.get(pk=search.pk).is_active:
        time.sleep(0.5)
    rows = list(
        Entity.objects.filter(search=search, status=Entity.Status.DONE).values_list(
            "generation__number", "started_at", "finished_at", "train_seconds", "worker"
        )
    )
    per_generation = []
    for number in range(args.generations):
        mine = [r for r in rows if r[0] == number]
        wall = (max(r[2] for r in mine) - min(r[1] for r in mine)).total_seconds()
        per_generation.append({"generation": number + 1, "entities": len(mine), "wall_seconds": wall,
                               "utilisation": sum(r[3] for r in mine) / (args.workers * wall)})  # fmt: skip
    wall = (max(r[2] for r in rows) - min(r[1] for r in rows)).total_seconds()
    # Until the last candidate was handed out: what follows is the drain at the end of any
    # fixed budget (fast workers wait for the slowest one's last candidate), whatever the mode.
    first, last_start = min(r[1] for r in rows), max(r[1] for r in rows)
    window = (last_start - first).total_seconds()
    busy_in_window = sum(
        max(0.0, (min(r[2], last_start) - r[1]).total_seconds()) * r[3] / max((r[2] - r[1]).total_seconds(), 1e-9)
        for r in rows
    )
    by_worker: dict[str, int] = {}
    for r in rows:
        by_worker[r[4].split("@")[0]] = by_worker.get(r[4].split("@")[0], 0) + 1
    return {
        "wall_seconds": wall,
        "entities": len(rows),
        "utilisation": sum(r[3] for r in rows) / (args.workers * wall),
        "utilisation_while_work_remains": busy_in_window / (args.workers * window),
        "drain_seconds": wall - window,
        "evaluations_per_worker_hour": len(rows) / (args.workers * wall / 3600),
        "per_generation": per_generation,
        "entities_per_worker": dict(sorted(by_worker.items())),
        "best_fitness": max(Entity.objects.filter(search=search, status=Entity.Status.DONE).values_list(
            "fitness", flat=True)),
    }  # fmt: skip


def simulated_quality(seeds: int, workers: int) -> dict:
    """Final best of the synthetic landscape at equal evaluations, each mode, the same workers' speeds."""
    from searches.genetics import BreedingPolicy, GeneticOptimizer, Space, SteadyStateOptimizer, genome_hash
    from searches.spec.presets import preset
    from workers.objectives.synthetic import synthetic_accuracy

    space = Space.from_spec(preset("synthetic")["traits"])
    speed = [SLOWDOWN] + [1.0] * (workers - 1)
    sigma = math.sqrt(math.log(1 + DELAY_CV**2))

    def duration(genome, worker) -> float:
        rng = random.Random(genome_hash(genome))
        return speed[worker] * math.exp(rng.gauss(-(sigma**2) / 2, sigma))

    def generational(seed: int) -> float:
        optimizer = GeneticOptimizer(space, BreedingPolicy(), seed=seed)
        while not optimizer.finished:
            for proposal in optimizer.ask():
                if proposal.evaluate:
                    optimizer.tell(proposal.key, synthetic_accuracy(space, proposal.genome))
        return optimizer.best.fitness

    def steady_state(seed: int) -> float:
        optimizer = SteadyStateOptimizer(space, BreedingPolicy(mode="steady_state"), seed=seed)
        running: list[tuple[float, int, int, object]] = []  # (finish time, order, worker, proposal)
        order = 0
        for worker in range(workers):  # the first births, one per worker
            proposal = optimizer.ask()
            heapq.heappush(running, (duration(proposal.genome, worker), order, worker, proposal))
            order += 1
        while running:
            now, _, worker, proposal = heapq.heappop(running)
            optimizer.tell(proposal.key, synthetic_accuracy(space, proposal.genome))
            child = optimizer.ask()
            if child is not None:
                heapq.heappush(running, (now + duration(child.genome, worker), order, worker, child))
                order += 1
        return optimizer.best.fitness

    finals = {"generational": [generational(s) for s in range(seeds)],
              "steady_state": [steady_state(s) for s in range(seeds)]}  # fmt: skip
    return {
        mode: {"median_final_best": statistics.median(values), "reached_optimum": sum(v >= 0.9499 for v in values),
               "seeds": seeds}
        for mode, values in finals.items()
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--quality-seeds", type=int, default=30)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs" / "benchmarks")
    args = parser.parse_args()

    var, port = isolated_gaweb("gaweb-util-")
    from gaweb.runtime.redis_server import PrivateRedis

    redis = PrivateRedis(port=port, folder=var / "redis").start()

    # cpu0 is the old GPU, three times slower than the others.
    def env_for(index: int) -> dict[str, str]:
        return {"GAWEB_PRELOAD_KERAS": "0", "GAWEB_SIMULATED_SLOWDOWN": str(SLOWDOWN if index == 0 else 1)}

    children = start_cpu_workers(args.workers, var / "workers.log", cpu_count=args.workers, env_for=env_for)
    try:
        time.sleep(4)  # let every worker connect, so that none misses the first candidates
        modes = {mode: run_search(mode, args) for mode in MODES}
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=60)
        redis.stop()
    quality = simulated_quality(args.quality_seeds, args.workers)
    speedup = (
        modes["steady_state"]["evaluations_per_worker_hour"] / modes["generational"]["evaluations_per_worker_hour"]
    )
    result = {
        "benchmark": "worker_utilisation", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "workers": args.workers,
        "population": args.population, "generations": args.generations, "mean_delay_seconds": args.delay,
        "delay_cv": DELAY_CV, "slow_worker": f"cpu0, {SLOWDOWN:g}x slower", "modes": modes,
        "throughput_ratio_steady_to_generational": speedup, "quality": quality,
    }  # fmt: skip
    for mode, row in modes.items():
        print(f"\n{mode}: wall {row['wall_seconds']:.1f} s, utilisation {100 * row['utilisation']:.1f}% "
              f"({100 * row['utilisation_while_work_remains']:.1f}% until the last candidate was handed out, then "
              f"{row['drain_seconds']:.1f} s of drain)")  # fmt: skip
        print(f"  {row['evaluations_per_worker_hour']:.0f} evaluations per worker-hour")
        print(f"  per worker: {row['entities_per_worker']}")
        print("  by generation: " + " ".join(f"{100 * g['utilisation']:.0f}%" for g in row["per_generation"]))
    print(f"\nsteady-state / generational evaluations per worker-hour: {speedup:.2f}x")
    for mode, row in quality.items():
        print(f"quality, {mode}: median final best {row['median_final_best']:.4f}, "
              f"optimum reached in {row['reached_optimum']} of {row['seeds']} seeds")  # fmt: skip
    args.output_dir.mkdir(parents=True, exist_ok=True)
    _plot(modes, args.output_dir / "worker_utilisation.png")
    output = args.output_dir / "worker_utilisation.json"
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {shown(output)} and its plot")


def _plot(modes: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7.5, 3.6))
    width = 0.4
    for offset, (mode, colour) in zip(
        (-width / 2, width / 2), zip(MODES, ("#4a6fa5", "#27ae60"), strict=True), strict=True
    ):
        rows = modes[mode]["per_generation"]
        axes.bar([r["generation"] + offset for r in rows], [100 * r["utilisation"] for r in rows], width, color=colour,
                 label=f"{mode}: {100 * modes[mode]['utilisation']:.0f}% over the search")  # fmt: skip
    axes.set_xlabel("generation (in steady state: birth cohort)")
    axes.set_ylabel("workers' time training (%)")
    axes.set_ylim(0, 105)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    main()
