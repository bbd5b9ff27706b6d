"""The genetic algorithm against random search with the same budget of evaluations.

Both are gaweb's own strategies (``ga.strategy``: ``genetic`` or ``random``), on the same
space with the same seeds. An evaluation is a genome trained (or scored): genomes already
seen are cached, as in a gaweb search, and cost nothing. Reports the best fitness after
each number of evaluations, and how many evaluations the genetic algorithm needs to reach
random search's final best.

    .venv/bin/python bench/search_efficiency.py                       # synthetic objective, 30 seeds, seconds
    .venv/bin/python bench/search_efficiency.py --digits-seeds 5      # also digits with real training, ~25 min
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, SHARED_CIFAR, cifar10_folder, setup_django, shown


def run_strategy(space, policy, seed: int, score) -> list[float]:
    """Best fitness so far after each evaluation of one search."""
    from searches.genetics import GeneticOptimizer, genome_hash

    optimizer = GeneticOptimizer(space, policy, seed=seed)
    seen: dict[str, float] = {}
    best_so_far: list[float] = []
    while not optimizer.finished:
        for proposal in optimizer.ask():
            if not proposal.evaluate:
                continue
            digest = genome_hash(proposal.genome)
            if digest not in seen:
                seen[digest] = score(proposal.genome)
                best_so_far.append(max(seen[digest], best_so_far[-1] if best_so_far else float("-inf")))
            optimizer.tell(proposal.key, seen[digest])
    return best_so_far


def compare(curves: dict[str, list[list[float]]]) -> dict:
    """Per seed: random's final best, and the evaluations the GA needed to reach it."""
    rows = []
    for ga, rnd in zip(curves["genetic"], curves["random"], strict=True):
        target = rnd[-1]
        reached = next((i + 1 for i, value in enumerate(ga) if value >= target), None)
        rows.append({"random_final": target, "random_evaluations": len(rnd), "ga_final": ga[-1],
                     "ga_evaluations": len(ga), "ga_evaluations_to_random_final": reached})  # fmt: skip
    reached = [r["ga_evaluations_to_random_final"] for r in rows if r["ga_evaluations_to_random_final"]]
    return {
        "seeds": len(rows),
        "ga_final_median": statistics.median(r["ga_final"] for r in rows),
        "random_final_median": statistics.median(r["random_final"] for r in rows),
        "ga_beats_random_in": sum(r["ga_final"] > r["random_final"] for r in rows),
        "ga_reaches_random_final_in": len(reached),
        "ga_evaluations_to_random_final_median": statistics.median(reached) if reached else None,
        "random_evaluations_median": statistics.median(r["random_evaluations"] for r in rows),
        "per_seed": rows,
    }


def plot(curves: dict[str, list[list[float]]], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2))
    for name, colour in (("genetic", "#27ae60"), ("random", "#7f8c8d")):
        length = min(len(c) for c in curves[name])
        columns = [[c[i] for c in curves[name]] for i in range(length)]
        xs = range(1, length + 1)
        axes.plot(xs, [statistics.median(col) for col in columns], color=colour, label=f"{name} (median)")
        quartiles = [statistics.quantiles(col, n=4) if len(col) > 1 else [col[0]] * 3 for col in columns]
        axes.fill_between(xs, [q[0] for q in quartiles], [q[2] for q in quartiles], color=colour, alpha=0.2)
    axes.set_xlabel("evaluations")
    axes.set_ylabel("best fitness so far")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def report(result: dict, name: str, curves: dict, title: str, output_dir: Path) -> None:
    """Compare, plot and print one objective's curves, and keep the figures in ``result``."""
    result[name] = compare(curves)
    plot(curves, title, output_dir / f"search_efficiency_{name}.png")
    _print(name, result[name])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--digits-seeds", type=int, default=0)
    parser.add_argument(
        "--cifar-seeds", type=int, default=0, help="also CIFAR-10 from ../shared (a subset; about 40 minutes a seed)"
    )
    parser.add_argument("--archive", type=Path, default=SHARED_CIFAR)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs" / "benchmarks")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-efficiency-")))
    from searches.genetics import BreedingPolicy, Space
    from searches.spec.presets import preset
    from workers.objectives.synthetic import synthetic_accuracy

    args.output_dir.mkdir(parents=True, exist_ok=True)
    result = {"benchmark": "search_efficiency", "date": time.strftime("%Y-%m-%d"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores"}  # fmt: skip

    spec = preset("synthetic")
    space = Space.from_spec(spec["traits"])
    curves = {
        name: [
            run_strategy(space, BreedingPolicy(strategy=name), seed, lambda g: synthetic_accuracy(space, g))
            for seed in range(args.seeds)
        ]
        for name in ("genetic", "random")
    }
    report(result, "synthetic", curves, f"synthetic objective, reference space, {args.seeds} seeds", args.output_dir)
    if args.digits_seeds:
        curves = _digits_curves(args.digits_seeds)
        report(result, "digits", curves, f"digits, keras objective, {args.digits_seeds} seeds", args.output_dir)
    if args.cifar_seeds:
        folder = cifar10_folder(args.archive, ROOT / "var" / "bench" / "cifar10")
        curves = _cifar_curves(args.cifar_seeds, folder)
        title = f"CIFAR-10 subset, keras objective, {args.cifar_seeds} seed(s)"
        report(result, "cifar10", curves, title, args.output_dir)

    output = args.output_dir / "search_efficiency.json"
    # Keep the figures of parts not run this time (the slow ones are run one at a time).
    previous = json.loads(output.read_text()) if output.exists() else {}
    output.write_text(json.dumps({**previous, **result}, indent=2) + "\n")
    print(f"written {shown(output)} and the plots beside it")


def _digits_curves(seeds: int) -> dict[str, list[list[float]]]:
    """Real searches of the digits demo space, run inline (real training), one per seed and strategy."""
    from searches.spec.presets import preset

    return _real_curves(seeds, lambda: preset("digits-demo"), "digits")


# CIFAR-10 subset: the reference space, 6,000 training and 1,200 validation images, 2 epochs,
# 3 generations of 8: about 20 minutes a strategy on 2 CPU cores.
def _cifar_curves(seeds: int, folder: Path) -> dict[str, list[list[float]]]:
    from django.conf import settings

    from searches.spec.presets import preset

    settings.GAWEB_DATA_ROOTS = [folder]

    def spec() -> dict:
        spec = preset("cifar10-tutorial")
        spec["dataset"] = f"folder:{folder}"
        spec["ga"] = {**spec["ga"], "population": 8, "generations": 3, "elite_previous": 4, "elite_all_time": 4}
        spec["training"] = {"epochs": 2, "max_train_samples": 6000, "validation_fraction": 1 / 6}
        return spec

    return _real_curves(seeds, spec, "cifar10")


def _real_curves(seeds: int, make_spec, label: str) -> dict[str, list[list[float]]]:
    """One inline search (real training) per seed and strategy; the best so far after each training."""
    from django.core.management import call_command

    from searches import services
    from searches.models import Entity, Search
    from workers.inline import run_inline

    call_command("migrate", verbosity=0)
    curves: dict[str, list[list[float]]] = {"genetic": [], "random": []}
    for seed in range(seeds):
        for name in ("genetic", "random"):
            spec = make_spec()
            spec["seed"], spec["name"] = seed, f"efficiency {label} {name} {seed}"
            spec["ga"] = {**spec["ga"], "strategy": name}
            search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)
            trained = Entity.objects.filter(search=search, status__in=(Entity.Status.DONE, Entity.Status.FAILED))
            best, curve = float("-inf"), []
            for fitness in trained.order_by("finished_at").values_list("fitness", flat=True):
                best = max(best, fitness or 0.0)
                curve.append(best)
            curves[name].append(curve)
            print(f"{label} seed {seed} {name}: best {curve[-1]:.4f} after {len(curve)} trainings", flush=True)
    return curves


def _print(name: str, summary: dict) -> None:
    print(f"\n{name}: {summary['seeds']} seeds")
    print(
        f"  final best, median: genetic {summary['ga_final_median']:.4f}  random {summary['random_final_median']:.4f}"
    )
    print(f"  genetic beats random in {summary['ga_beats_random_in']} of {summary['seeds']} seeds")
    print(
        f"  genetic reaches random's final best in {summary['ga_reaches_random_final_in']} seeds, after a median of "
        f"{summary['ga_evaluations_to_random_final_median']} evaluations "
        f"(random used {summary['random_evaluations_median']})"
    )


if __name__ == "__main__":
    main()
