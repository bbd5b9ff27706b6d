"""Every gaweb strategy against the optimizers users would pick instead, at equal evaluations.

gaweb's strategies run through ``GeneticOptimizer``, the same proposers a search uses:
``genetic`` (the reference, with ``duplicates: "cache"`` and with ``"rebreed"``),
``surrogate``, ``tpe`` and ``random``. The outside references run directly through Optuna
with the same traits (the mapping of ``searches.genetics._tpe``): TPE (multivariate,
constant liar), NSGA-II, and CMA-ES where every trait is numeric. Batch-parallel: 20
proposals at a time, as 20 GPUs would ask; one at a time: one proposal after each result
(gaweb's strategies in steady-state mode, the references asked for one trial at a time).

Landscapes: the synthetic objective over the reference space; functions of the COCO/BBOB
suite (``coco-experiment``): f1 sphere (separable), f10 ellipsoid (ill-conditioned),
f15 Rastrigin and f21 Gallagher's 101 peaks (multimodal), dimension 10, each variable a
``float`` trait on [-5, 5], fitness ``-log10(f - f_min + 1e-8)`` with ``f_min`` the best of
30 L-BFGS-B runs (a monotone transform: only the surrogate's forest sees the scale), BBOB
instance ``seed % 15 + 1`` (BBOB has 15 instances per function: seeds 15 to 19 run instances
1 to 5 again, with other optimizer seeds); and ``digits`` with real training (``--digits-seeds``).

    .venv/bin/python bench/strategy_bakeoff.py                      # synthetic and BBOB: about 40 minutes
    .venv/bin/python bench/strategy_bakeoff.py --digits-seeds 5     # and digits with real training: 30 minutes more
    .venv/bin/python bench/strategy_bakeoff.py --landscapes "" --digits-seeds 5   # digits alone (the rest kept)
    .venv/bin/python bench/strategy_bakeoff.py --replot             # the plots again from the JSON
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from _bakeoff import BATCH, median_curve, run_gaweb, run_gaweb_one_at_a_time, run_optuna, summarise
from _bakeoff_digits import digits_landscape
from _common import ROOT, setup_django, shown

GAWEB = ("genetic-cache", "genetic", "surrogate", "tpe", "random")
REFERENCES = ("optuna-tpe", "optuna-nsga2", "optuna-cmaes")
BBOB_FUNCTIONS = {1: "f1 sphere (separable)", 10: "f10 ellipsoid (ill-conditioned)",
                  15: "f15 Rastrigin (multimodal)", 21: "f21 Gallagher 101 peaks (multimodal)"}  # fmt: skip
DIMENSION = 10


# --- Landscapes -------------------------------------------------------------------------------


def synthetic_landscape():
    from searches.genetics import Space
    from searches.spec.presets import preset
    from workers.objectives.synthetic import synthetic_accuracy

    space = Space.from_spec(preset("synthetic")["traits"])
    return space, lambda seed: lambda genome: synthetic_accuracy(space, genome)


def bbob_landscape(function: int):
    import cocoex
    import numpy as np
    from scipy.optimize import minimize

    from searches.genetics import Space

    space = Space.from_spec([{"name": f"x{i}", "type": "float", "low": -5.0, "high": 5.0} for i in range(DIMENSION)])

    def scorer(seed: int):
        # BBOB has 15 instances of each function: seeds beyond run them again with other optimizer seeds.
        instance = seed % 15 + 1
        suite = cocoex.Suite(
            "bbob", "", f"function_indices:{function} dimensions:{DIMENSION} instance_indices:{instance}"
        )
        problem = next(iter(suite))
        rng = np.random.default_rng(0)
        starts = [rng.uniform(-4, 4, DIMENSION) for _ in range(30)]
        floor = min(minimize(problem, x0, method="L-BFGS-B", bounds=[(-5, 5)] * DIMENSION).fun for x0 in starts)

        def score(genome):
            value = problem(np.array([genome[f"x{i}"] for i in range(DIMENSION)]))
            return -math.log10(max(value - floor, 0.0) + 1e-8)

        return score

    return space, scorer


# --- One landscape ------------------------------------------------------------------------


def run_landscape(label: str, space, scorer, *, seeds: int, evaluations: int, references: tuple[str, ...]) -> dict:
    curves: dict[str, list[list[float]]] = {}
    timings = {}
    for name in GAWEB + references:
        began = time.perf_counter()
        runs = []
        for seed in range(seeds):
            score = scorer(seed)
            if name in GAWEB:
                runs.append(run_gaweb(name, space, score, seed=seed, evaluations=evaluations))
            else:
                runs.append(run_optuna(name, space, score, seed=seed, evaluations=evaluations, batch=BATCH))
        curves[name] = runs
        timings[name] = time.perf_counter() - began
        print(f"  {label} {name}: median final {statistics.median(c[-1] for c in runs):.4f} "
              f"({timings[name]:.0f} s)", flush=True)  # fmt: skip
    one_at_a_time = {}
    for name in ("surrogate", "genetic", "tpe", "optuna-tpe", "optuna-cmaes"):
        if name in GAWEB:
            runs = [run_gaweb_one_at_a_time(name, space, scorer(seed), seed=seed, evaluations=evaluations)
                    for seed in range(seeds)]  # fmt: skip
        elif name in references:
            runs = [run_optuna(name, space, scorer(seed), seed=seed, evaluations=evaluations, batch=1)
                    for seed in range(seeds)]  # fmt: skip
        else:
            continue
        one_at_a_time[name + " (1 at a time)"] = runs
        finals = [c[-1] for c in runs]
        print(f"  {label} {name} one at a time: median final {statistics.median(finals):.4f}", flush=True)
    every = {**curves, **one_at_a_time}
    summary = summarise(every)
    summary.update(seeds=seeds, evaluations=evaluations, label=label, seconds=timings,
                   median_curves={name: median_curve(runs) for name, runs in every.items()})  # fmt: skip
    return summary


# --- Output ---------------------------------------------------------------------------------


def print_table(result: dict) -> None:
    for landscape in result["landscapes"].values():
        print(f"\n{landscape['label']}: {landscape['seeds']} seeds, {landscape['evaluations']} evaluations; "
              f"random's median final best {landscape['random_median_final']:.4f}")  # fmt: skip
        print(f"  {'strategy':28} {'median (IQR)':28} {'to random median':18} vs optuna-tpe (W/T/L)")
        for name, row in landscape["strategies"].items():
            reach = (
                "-"
                if row["evaluations_to_random_median"] is None
                else (f"{row['evaluations_to_random_median']:g} ({row['reach_random_median_in']}/{landscape['seeds']})")
            )
            versus = row.get("vs_optuna-tpe")
            wtl = f"{versus['wins']}/{versus['ties']}/{versus['losses']}" if versus else ""
            iqr = f"{row['final_median']:.4f} ({row['final_q1']:.4f}-{row['final_q3']:.4f})"
            print(f"  {name:28} {iqr:28} {reach:18} {wtl}")


def plot(result: dict, output_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    landscapes = result["landscapes"]
    figure, axes = plt.subplots(1, len(landscapes), figsize=(4.2 * len(landscapes), 3.8), squeeze=False)
    for ax, landscape in zip(axes[0], landscapes.values(), strict=True):
        for name, curve in landscape["median_curves"].items():
            style = "-" if name in GAWEB else "--"
            ax.plot(range(1, len(curve) + 1), curve, style, label=name, linewidth=2 if name == "surrogate" else 1)
        ax.set_title(landscape["label"], fontsize=9)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("best fitness so far (median)")
    axes[0][-1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(output_dir / "strategy_bakeoff.png", dpi=100)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=30, help="seeds of the synthetic landscape")
    parser.add_argument("--bbob-seeds", type=int, default=20)
    parser.add_argument("--bbob-functions", default="1,10,15,21")
    parser.add_argument("--evaluations", type=int, default=160)
    parser.add_argument("--digits-seeds", type=int, default=0)
    parser.add_argument(
        "--landscapes", default="synthetic,bbob", help="which to run now: synthetic, bbob (digits: see --digits-seeds)"
    )
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs" / "benchmarks")
    parser.add_argument("--replot", action="store_true")
    args = parser.parse_args()
    output = args.output_dir / "strategy_bakeoff.json"
    if args.replot:
        plot(json.loads(output.read_text()), args.output_dir)
        return
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-bakeoff-")))
    args.output_dir.mkdir(parents=True, exist_ok=True)
    # The landscapes not run this time keep their figures (the slow ones are run one at a time).
    previous = json.loads(output.read_text()) if output.exists() else {}
    result = {"benchmark": "strategy_bakeoff", "date": time.strftime("%Y-%m-%d"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores", "batch": BATCH,
              "landscapes": previous.get("landscapes", {})}  # fmt: skip
    chosen = set(args.landscapes.split(","))
    if "synthetic" in chosen:
        space, scorer = synthetic_landscape()
        result["landscapes"]["synthetic"] = run_landscape(
            "synthetic (reference space)", space, scorer, seeds=args.seeds, evaluations=args.evaluations,
            references=("optuna-tpe", "optuna-nsga2"),
        )  # fmt: skip
    for function in [int(f) for f in args.bbob_functions.split(",") if f and "bbob" in chosen]:
        space, scorer = bbob_landscape(function)
        result["landscapes"][f"bbob-f{function}"] = run_landscape(
            f"BBOB {BBOB_FUNCTIONS.get(function, f'f{function}')}, d={DIMENSION}", space, scorer,
            seeds=args.bbob_seeds, evaluations=args.evaluations, references=REFERENCES,
        )  # fmt: skip
    if args.digits_seeds:
        result["landscapes"]["digits"] = digits_landscape(args.digits_seeds)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    plot(result, args.output_dir)
    print(f"\nwritten {shown(output)} and {shown(args.output_dir / 'strategy_bakeoff.png')}")


if __name__ == "__main__":
    main()
