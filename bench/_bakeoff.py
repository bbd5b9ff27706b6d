"""What the strategy bake-off's landscapes share: running one search of a strategy, and comparing them."""

from __future__ import annotations

import json
import math
import statistics
import warnings
from collections.abc import Callable

BATCH = 20

# --- Running one search ---------------------------------------------------------------------


def run_gaweb(
    name: str, space, score: Callable, *, seed: int, evaluations: int, batch: int = BATCH, elites: int | None = None
) -> list[float]:
    """Best fitness so far after each evaluation of one gaweb search (``name``: a strategy; ``genetic-cache``
    is the reference genetic algorithm with ``duplicates: "cache"``), ``batch`` candidates a generation."""
    from searches.genetics import BreedingPolicy, GeneticOptimizer

    strategy, duplicates = ("genetic", "cache") if name == "genetic-cache" else (name, "rebreed")
    elites = batch // 2 if elites is None else elites
    policy = BreedingPolicy(population=batch, generations=evaluations // batch, strategy=strategy,
                            duplicates=duplicates, elite_previous=elites, elite_all_time=elites)  # fmt: skip
    optimizer = GeneticOptimizer(space, policy, seed=seed)
    seen: dict[str, float] = {}
    curve: list[float] = []
    while not optimizer.finished:
        for proposal in optimizer.ask():
            if not proposal.evaluate:
                continue
            key = json.dumps(proposal.genome, sort_keys=True)
            if key not in seen:  # a cached duplicate costs no evaluation (and gains nothing)
                seen[key] = score(proposal.genome)
                curve.append(max(seen[key], curve[-1] if curve else -math.inf))
            optimizer.tell(proposal.key, seen[key])
    return curve


def run_gaweb_one_at_a_time(name: str, space, score: Callable, *, seed: int, evaluations: int) -> list[float]:
    """A gaweb strategy in steady-state mode, one candidate asked after each result (as one GPU would)."""
    from searches.genetics import BreedingPolicy, SteadyStateOptimizer

    policy = BreedingPolicy(population=BATCH, generations=evaluations // BATCH, strategy=name, mode="steady_state",
                            elite_previous=BATCH // 2, elite_all_time=BATCH // 2)  # fmt: skip
    optimizer = SteadyStateOptimizer(space, policy, seed=seed)
    curve: list[float] = []
    while not optimizer.finished:
        proposal = optimizer.ask()
        if proposal is None:
            break
        value = score(proposal.genome)
        curve.append(max(value, curve[-1] if curve else -math.inf))
        optimizer.tell(proposal.key, value)
    return curve


def run_optuna(name: str, space, score: Callable, *, seed: int, evaluations: int, batch: int) -> list[float]:
    """Best fitness so far after each evaluation of one Optuna study, asked ``batch`` trials at a time."""
    import optuna

    from searches.genetics._tpe import distributions, from_params

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = {
            "optuna-tpe": lambda: optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True),
            "optuna-nsga2": lambda: optuna.samplers.NSGAIISampler(seed=seed, population_size=BATCH),
            "optuna-cmaes": lambda: optuna.samplers.CmaEsSampler(seed=seed, popsize=BATCH if batch > 1 else None),
        }[name]()
        study = optuna.create_study(direction="maximize", sampler=sampler)
        dists = distributions(space)
        curve: list[float] = []
        while len(curve) < evaluations:
            trials = [study.ask(dists) for _ in range(min(batch, evaluations - len(curve)))]
            for trial in trials:
                value = score(from_params(space, trial.params))
                curve.append(max(value, curve[-1] if curve else -math.inf))
                study.tell(trial, value)
    return curve


def summarise(curves: dict[str, list[list[float]]], baseline: str = "optuna-tpe") -> dict:
    """Per strategy: median and IQR of the final best, evaluations to reach random search's median
    final best, and wins, ties and losses per seed against ``baseline``."""
    target = statistics.median(c[-1] for c in curves["random"])
    rows = {}
    for name, runs in curves.items():
        finals = [c[-1] for c in runs]
        quartiles = statistics.quantiles(finals, n=4) if len(finals) > 1 else [finals[0]] * 3
        reached = [next((i + 1 for i, v in enumerate(c) if v >= target), None) for c in runs]
        hits = [r for r in reached if r is not None]
        row = {
            "final_median": statistics.median(finals),
            "final_q1": quartiles[0],
            "final_q3": quartiles[2],
            "reach_random_median_in": len(hits),
            "evaluations_to_random_median": statistics.median(hits) if hits else None,
        }
        if baseline in curves and name != baseline:
            pairs = list(zip(finals, (c[-1] for c in curves[baseline]), strict=True))
            row["vs_" + baseline] = {
                "wins": sum(a > b + 1e-9 for a, b in pairs),
                "ties": sum(abs(a - b) <= 1e-9 for a, b in pairs),
                "losses": sum(a < b - 1e-9 for a, b in pairs),
            }
        rows[name] = row
    return {"random_median_final": target, "strategies": rows}


def median_curve(runs: list[list[float]]) -> list[float]:
    length = min(len(r) for r in runs)
    return [statistics.median(r[i] for r in runs) for i in range(length)]
