"""The bake-off's real-training landscape: ``digits`` with the keras objective, as a search trains it.

Each evaluation trains the genome's network as a worker would (``train_candidate`` on the
search's split, with the search's per-genome seed). Each strategy's winner is then trained
again from other initial weights, on the same split, to see how much of its lead was luck.
"""

from __future__ import annotations

import json
import statistics
import time

from _bakeoff import median_curve, run_gaweb, run_optuna, summarise

SPACE_PRESET = "digits-demo"
EVALUATIONS = 40
BATCH = 10
STRATEGIES = ("genetic-cache", "genetic", "surrogate", "tpe", "random", "optuna-tpe")


def digits_landscape(seeds: int) -> dict:
    from django.conf import settings

    from searches.genetics import Space, genome_hash
    from searches.spec.presets import preset
    from workers.training.datasets import DatasetCache
    from workers.training.trainer import TrainingFailed, train_candidate

    spec = preset(SPACE_PRESET)
    space = Space.from_spec(spec["traits"])
    epochs = spec["training"]["epochs"]
    cache = DatasetCache(data_roots=settings.GAWEB_DATA_ROOTS, cifar10_path=None)

    def trainer(seed: int):
        data = cache.get("digits", seed=seed, validation_fraction=0.2, max_train_samples=None, image_size=32)

        def train(genome, weights_seed=None) -> float:
            weights = weights_seed if weights_seed is not None else (seed + int(genome_hash(genome)[:8], 16)) % 2**31
            try:
                return train_candidate(genome, data, epochs=epochs, seed=weights).accuracy
            except TrainingFailed:
                return 0.0

        return train

    curves: dict[str, list[list[float]]] = {name: [] for name in STRATEGIES}
    retrained: dict[str, list[dict]] = {name: [] for name in STRATEGIES}
    began = time.perf_counter()
    for seed in range(seeds):
        train = trainer(seed)
        for name in STRATEGIES:
            found: dict[str, tuple[float, dict]] = {}

            def score(genome, found=found, train=train):
                value = train(genome)
                found[json.dumps(genome, sort_keys=True)] = (value, genome)
                return value

            if name == "optuna-tpe":
                curve = run_optuna(name, space, score, seed=seed, evaluations=EVALUATIONS, batch=BATCH)
            else:
                curve = run_gaweb(name, space, score, seed=seed, evaluations=EVALUATIONS, batch=BATCH)
            curves[name].append(curve)
            best_value, best_genome = max(found.values(), key=lambda item: item[0])
            again = train(best_genome, weights_seed=seed + 7919)
            retrained[name].append({"search": best_value, "retrained": again})
            print(f"  digits seed {seed} {name}: best {best_value:.4f}, retrained {again:.4f} "
                  f"({time.perf_counter() - began:.0f} s)", flush=True)  # fmt: skip
    summary = summarise(curves)
    for name, rows in retrained.items():
        summary["strategies"][name]["winner_retrained"] = {
            "mean_search_accuracy": statistics.fmean(r["search"] for r in rows),
            "mean_retrained_accuracy": statistics.fmean(r["retrained"] for r in rows),
            "mean_drop": statistics.fmean(r["search"] - r["retrained"] for r in rows),
            "per_seed": rows,
        }
    summary.update(seeds=seeds, evaluations=EVALUATIONS, label=f"digits, real training ({BATCH} at a time)",
                   median_curves={name: median_curve(runs) for name, runs in curves.items()})  # fmt: skip
    return summary
