"""64 simulated workers on four hosts, through one PostgreSQL and one Redis: how busy they are, and
what coordinating them costs.

The multi-host tests' harness (``tests/multihost/cluster.py``) makes "main" (PostgreSQL, Redis)
and ``--hosts`` worker hosts in Linux network namespaces; each host runs ``runworkers
--cpu-workers N`` from its own ``var/``, as a GPU machine would, with the synthetic objective
(no TensorFlow) standing in for training: every candidate takes ``--delays`` seconds. PostgreSQL
runs with its default durability (fsync on) and the workers with the default heartbeat (30 s).

For each mode (generational, steady-state) and each delay, one search of ``population = workers``
runs for a few rounds, and the script reports:

* utilisation: the workers' training seconds over (workers x wall time, first claim to last
  record), and the same until the last candidate was handed out (before the drain at the end
  of any fixed budget);
* claims and records per second (each candidate is claimed once and recorded once), and the
  database's transactions per second;
* the CPU of PostgreSQL (the server and its backends) and of Redis, as a share of one core;
* the coordination limit: the shortest delay at which utilisation stays at 95% or more.

Every process shares this machine's cores: the workers' own bookkeeping competes with the
database for them, so these figures are a floor for a cluster whose database has its own.

    sudo .venv/bin/python bench/scale_out.py    # root, for the namespaces; about 10 minutes

Writes docs/benchmarks/scale_out.json and its plot.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import psutil
from _common import ROOT, setup_django, shown

sys.path.insert(0, str(ROOT))
from tests.multihost.cluster import Cluster, unavailable

GOAL = 0.95
TRAITS = [{"name": name, "type": "float", "low": 0.0, "high": 1.0} for name in ("a", "b", "c", "d")]


def _cpu_seconds(process: psutil.Process, *, with_children: bool) -> float:
    """CPU seconds of a process; with its children, living (its backends) and ended (reaped by it)."""
    times = process.cpu_times()
    total = times.user + times.system
    if with_children:
        total += times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                child_times = child.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += child_times.user + child_times.system
    return total


class Meter:
    """CPU of PostgreSQL and Redis, the database's committed transactions, the machine's busy time."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.postgres = psutil.Process(cluster.postgres_pid)
        self.redis = psutil.Process(cluster.redis.pid)

    def read(self) -> dict[str, float]:
        (commits,) = self.cluster.query("select xact_commit from pg_stat_database where datname = 'gaweb'")[0]
        machine = psutil.cpu_times()
        return {
            "at": time.monotonic(),
            "postgres": _cpu_seconds(self.postgres, with_children=True),
            "redis": _cpu_seconds(self.redis, with_children=False),
            "commits": float(commits),
            "machine_busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
        }


def run_search(cluster: Cluster, meter: Meter, *, mode: str, delay: float, workers: int, cv: float) -> dict:
    from searches import services
    from searches.models import Entity, Search

    rounds = max(4, min(20, math.ceil(30 / delay)))
    spec = {
        "name": f"scale-out {mode} {delay:g}s", "objective": "synthetic", "seed": 17,
        "ga": {"population": workers, "generations": rounds, "mode": mode,
               "elite_previous": min(10, workers), "elite_all_time": min(10, workers)},
        "training": {"synthetic_delay": delay, "synthetic_delay_cv": cv},
        "traits": TRAITS,
    }  # fmt: skip
    before = meter.read()
    search = services.search_create_and_start(spec=spec, owner=None)
    while Search.objects.get(pk=search.pk).is_active:
        time.sleep(0.5)
    after = meter.read()
    status = Search.objects.get(pk=search.pk).status
    rows = list(
        Entity.objects.filter(search=search, status=Entity.Status.DONE).values_list(
            "started_at", "finished_at", "train_seconds"
        )
    )
    gaps = _generation_gaps(search) if mode == "generational" else {}
    first, last_end, last_start = min(r[0] for r in rows), max(r[1] for r in rows), max(r[0] for r in rows)
    wall = (last_end - first).total_seconds()
    window = (last_start - first).total_seconds()
    busy_in_window = sum(
        max(0.0, (min(end, last_start) - start).total_seconds()) * seconds / max((end - start).total_seconds(), 1e-9)
        for start, end, seconds in rows
    )
    elapsed = after["at"] - before["at"]
    return {
        "mode": mode,
        "delay_seconds": delay,
        "status": status,
        "entities": len(rows),
        "wall_seconds": wall,
        "utilisation": sum(r[2] for r in rows) / (workers * wall),
        "utilisation_while_work_remains": busy_in_window / (workers * window) if window > 0 else None,
        "claims_per_second": len(rows) / wall,
        "records_per_second": len(rows) / wall,
        "transactions_per_second": (after["commits"] - before["commits"]) / elapsed,
        "postgres_cpu_share_of_a_core": (after["postgres"] - before["postgres"]) / elapsed,
        "redis_cpu_share_of_a_core": (after["redis"] - before["redis"]) / elapsed,
        "machine_cpu_cores_busy": (after["machine_busy"] - before["machine_busy"]) / elapsed,
        **gaps,
    }


def _generation_gaps(search) -> dict[str, float]:
    """Where a generational search's barriers go: from a generation's last record to the next
    generation's jobs sent (ending it and breeding), and from sent to claimed (handing out)."""
    from searches.models import Entity

    by_generation: dict[int, list[tuple]] = {}
    for number, queued, started, finished in Entity.objects.filter(
        search=search, status=Entity.Status.DONE
    ).values_list("generation__number", "queued_at", "started_at", "finished_at"):
        by_generation.setdefault(number, []).append((queued, started, finished))
    numbers = sorted(by_generation)
    breeding = [
        (min(q for q, _, _ in by_generation[n]) - max(f for _, _, f in by_generation[n - 1])).total_seconds()
        for n in numbers[1:]
    ]
    handing_out = sorted((s - q).total_seconds() for rows in by_generation.values() for q, s, _ in rows)
    return {
        "breeding_seconds_mean": sum(breeding) / len(breeding) if breeding else 0.0,
        "hand_out_seconds_median": handing_out[len(handing_out) // 2],
        "hand_out_seconds_p95": handing_out[round(0.95 * (len(handing_out) - 1))],
        "hand_out_seconds_max": handing_out[-1],
    }


def wait_for_workers(count: int, *, timeout: float) -> int:
    from searches.services.queueing import workers_listening

    deadline = time.monotonic() + timeout
    listening = 0
    while time.monotonic() < deadline:
        listening = workers_listening(timeout=3.0) or 0
        if listening >= count:
            return listening
        time.sleep(2)
    raise SystemExit(f"only {listening} of {count} workers listened after {timeout:.0f} s; see the hosts' logs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--workers-per-host", type=int, default=16)
    parser.add_argument("--delays", default="10,5,2,1,0.5", help="seconds per candidate, comma-separated")
    parser.add_argument("--modes", default="generational,steady_state")
    parser.add_argument("--cv", type=float, default=0.0, help="spread of the delays (coefficient of variation)")
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs" / "benchmarks")
    args = parser.parse_args()
    why = unavailable()
    if why:
        sys.exit(f"scale_out: {why}")
    workers = args.hosts * args.workers_per_host
    delays = [float(d) for d in args.delays.split(",")]
    modes = args.modes.split(",")

    cluster = Cluster(Path(tempfile.mkdtemp(prefix="gaweb-scale-")), pg_settings={"max_connections": "300"})
    results = []
    try:
        cluster.start_main()
        migrated = cluster.manage("migrate", "--noinput")
        if migrated.returncode:
            sys.exit(migrated.stderr[-3000:])
        os.environ.update(cluster.base_env(cluster.main_address))
        setup_django(cluster.workdir / "bench")
        started = time.monotonic()
        for number in range(1, args.hosts + 1):
            cluster.start_workers(cluster.add_host(number), cpu_workers=args.workers_per_host)
        print(f"{workers} workers on {args.hosts} hosts starting ...", flush=True)
        wait_for_workers(workers, timeout=900)
        print(f"all {workers} listening after {time.monotonic() - started:.0f} s", flush=True)
        time.sleep(10)  # their training processes finish starting
        meter = Meter(cluster)
        for mode in modes:
            for delay in delays:
                row = run_search(cluster, meter, mode=mode, delay=delay, workers=workers, cv=args.cv)
                results.append(row)
                remains = row["utilisation_while_work_remains"]
                print(
                    f"{mode:>12} {delay:>5g} s: utilisation {100 * row['utilisation']:.1f}% "
                    f"({100 * remains:.1f}% while work remains), {row['claims_per_second']:.1f} claims/s, "
                    f"{row['transactions_per_second']:.0f} transactions/s, PostgreSQL "
                    f"{100 * row['postgres_cpu_share_of_a_core']:.1f}% of a core, Redis "
                    f"{100 * row['redis_cpu_share_of_a_core']:.1f}%, machine {row['machine_cpu_cores_busy']:.2f} "
                    f"cores busy ({row['entities']} candidates, {row['status']})",
                    flush=True,
                )
                if "breeding_seconds_mean" in row:
                    print(
                        f"{'':>21}barriers: {row['breeding_seconds_mean']:.2f} s from a generation's last record "
                        f"to the next one's jobs; jobs claimed {row['hand_out_seconds_median']:.2f} s after "
                        f"sent (median), {row['hand_out_seconds_p95']:.2f} s (p95), "
                        f"{row['hand_out_seconds_max']:.2f} s (max)",
                        flush=True,
                    )
    finally:
        cluster.close()
    limits = {}
    for mode in modes:
        held = [r["delay_seconds"] for r in results if r["mode"] == mode and r["utilisation"] >= GOAL]
        limits[mode] = min(held) if held else None
        shown_limit = f"{limits[mode]:g} s" if limits[mode] is not None else f"none of {args.delays} s"
        print(f"{mode}: utilisation {100 * GOAL:.0f}% or more down to candidates of {shown_limit}")
    result = {
        "benchmark": "scale_out", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB",
        "hosts": args.hosts, "workers": workers, "delay_cv": args.cv, "goal_utilisation": GOAL,
        "shortest_delay_at_goal": limits, "runs": results,
    }  # fmt: skip
    args.output_dir.mkdir(parents=True, exist_ok=True)
    output = args.output_dir / "scale_out.json"
    output.write_text(json.dumps(result, indent=2) + "\n")
    _plot(result, args.output_dir / "scale_out.png")
    print(f"written {shown(output)} and its plot")


def _plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for mode, colour in (("generational", "#4a6fa5"), ("steady_state", "#27ae60")):
        rows = sorted((r for r in result["runs"] if r["mode"] == mode), key=lambda r: r["delay_seconds"])
        if not rows:
            continue
        delays = [r["delay_seconds"] for r in rows]
        left.plot(delays, [100 * r["utilisation"] for r in rows], "o-", color=colour, label=mode)
        right.plot(delays, [100 * r["postgres_cpu_share_of_a_core"] for r in rows], "o-", color=colour,
                   label=f"PostgreSQL, {mode}")  # fmt: skip
        right.plot(delays, [100 * r["redis_cpu_share_of_a_core"] for r in rows], "x--", color=colour,
                   label=f"Redis, {mode}")  # fmt: skip
    left.axhline(100 * result["goal_utilisation"], color="#c0392b", linestyle=":", label="goal")
    left.set_xscale("log")
    left.set_xlabel("seconds per candidate")
    left.set_ylabel(f"utilisation of {result['workers']} workers (%)")
    left.set_ylim(0, 105)
    left.legend(fontsize=8)
    right.axhline(20, color="#c0392b", linestyle=":", label="goal for PostgreSQL")
    right.set_xscale("log")
    right.set_xlabel("seconds per candidate")
    right.set_ylabel("CPU (% of one core)")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    main()
