"""What early stopping saves, and what it costs in the best found, with real training.

Runs the same search with and without ``training.early_stopping`` (inline, so the
training is the workers' own path: each epoch reported, the rule decided by the
service), seed by seed, and reports the epochs trained, the wall time and the final
best fitness (the best fully trained candidate: a stopped one never counts as best).

    .venv/bin/python bench/early_stopping.py                      # digits, 5 seeds: about 30 minutes
    .venv/bin/python bench/early_stopping.py --cifar-seeds 1      # and the CIFAR-10 subset from ../shared
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

RULE = {"rule": "median", "min_epochs": 1}


def digits_spec(epochs: int, population: int, generations: int) -> dict:
    from searches.spec.presets import preset

    spec = preset("digits-demo")
    elites = max(1, population // 2)
    spec["ga"] = {**spec["ga"], "population": population, "generations": generations,
                  "elite_previous": elites, "elite_all_time": elites}  # fmt: skip
    spec["training"] = {**spec["training"], "epochs": epochs}
    return spec


def cifar_spec(folder: Path, epochs: int, samples: int) -> dict:
    from searches.spec.presets import preset

    spec = preset("cifar10-tutorial")
    spec["dataset"] = f"folder:{folder}"
    spec["ga"] = {**spec["ga"], "population": 8, "generations": 3, "elite_previous": 4, "elite_all_time": 4}
    spec["training"] = {"epochs": epochs, "max_train_samples": samples, "validation_fraction": 0.2}
    return spec


def run(spec: dict, *, seed: int, stopping: dict | None, label: str) -> dict:
    from searches import services
    from searches.models import Entity, Search
    from searches.reads.best import best_entity
    from workers.inline import run_inline

    spec = {**spec, "seed": seed, "name": f"{label} seed {seed} {'stopping' if stopping else 'full'}"}
    spec["training"] = {**spec["training"], "early_stopping": stopping}
    began = time.perf_counter()
    search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)
    wall = time.perf_counter() - began
    trained = Entity.objects.filter(search=search, status__in=(Entity.Status.DONE, Entity.Status.STOPPED))
    best = best_entity(search)
    row = {
        "seed": seed,
        "early_stopping": stopping,
        "wall_seconds": wall,
        "candidates": trained.count(),
        "stopped": trained.filter(status=Entity.Status.STOPPED).count(),
        "epochs_trained": sum(trained.values_list("epochs", flat=True)),
        "epochs_full": trained.count() * spec["training"]["epochs"],
        "final_best": best.fitness if best else None,
    }
    print(f"  {label} seed {seed} {'with' if stopping else 'without'} early stopping: {row['epochs_trained']} of "
          f"{row['epochs_full']} epochs, {wall:.0f} s, best {row['final_best']:.4f}", flush=True)  # fmt: skip
    return row


def compare(label: str, spec: dict, seeds: int, rule: dict) -> dict:
    runs = [(run(spec, seed=s, stopping=None, label=label), run(spec, seed=s, stopping=rule, label=label))
            for s in range(seeds)]  # fmt: skip
    full = [a for a, _ in runs]
    stopped = [b for _, b in runs]
    saved = 1 - sum(r["epochs_trained"] for r in stopped) / sum(r["epochs_trained"] for r in full)
    return {
        "label": label,
        "seeds": seeds,
        "rule": rule,
        "epochs_per_candidate": spec["training"]["epochs"],
        "epochs_saved_share": saved,
        "wall_saved_share": 1 - sum(r["wall_seconds"] for r in stopped) / sum(r["wall_seconds"] for r in full),
        "final_best_median": {
            "without": statistics.median(r["final_best"] for r in full),
            "with": statistics.median(r["final_best"] for r in stopped),
        },
        "final_best_difference_per_seed": [b["final_best"] - a["final_best"] for a, b in runs],
        "runs": {"without": full, "with": stopped},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--digits-seeds", type=int, default=5)
    parser.add_argument("--digits-epochs", type=int, default=6)
    parser.add_argument("--population", type=int, default=10, help="of the digits search (the demo's)")
    parser.add_argument("--generations", type=int, default=4, help="of the digits search (the demo's)")
    parser.add_argument("--cifar-seeds", type=int, default=0)
    parser.add_argument("--cifar-epochs", type=int, default=4)
    parser.add_argument("--cifar-samples", type=int, default=2000, help="training images per CIFAR-10 candidate")
    parser.add_argument("--rule", type=json.loads, default=RULE, help=f"training.early_stopping (default: {RULE})")
    parser.add_argument("--archive", type=Path, default=SHARED_CIFAR)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "early_stopping.json")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-stopping-")))
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    previous = json.loads(args.output.read_text()) if args.output.exists() else {}
    result = {**previous, "benchmark": "early_stopping", "date": time.strftime("%Y-%m-%d"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores"}  # fmt: skip
    if args.digits_seeds:
        spec = digits_spec(args.digits_epochs, args.population, args.generations)
        result["digits"] = compare("digits", spec, args.digits_seeds, args.rule)
        _write(args.output, result)  # kept, whatever happens to the CIFAR-10 part
    if args.cifar_seeds:
        folder = cifar10_folder(args.archive, ROOT / "var" / "bench" / "cifar10")
        settings.GAWEB_DATA_ROOTS = [folder.parent]  # a dataset lies under a data root, not at it
        spec = cifar_spec(folder, args.cifar_epochs, args.cifar_samples)
        result["cifar10"] = compare("CIFAR-10 subset", spec, args.cifar_seeds, args.rule)
    for key in ("digits", "cifar10"):
        if key in result:
            row = result[key]
            best = row["final_best_median"]
            print(f"\n{row['label']}, {row['seeds']} seed(s), {row['rule']}: {100 * row['epochs_saved_share']:.0f}% of "
                  f"epochs saved, {100 * row['wall_saved_share']:.0f}% of wall time; final best median "
                  f"{best['without']:.4f} without, {best['with']:.4f} with")  # fmt: skip
    _write(args.output, result)
    print(f"written {shown(args.output)}")


def _write(output: Path, result: dict) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
