"""The experiment on this machine: does a search, at a budget this machine allows, beat the tutorial network
on held-out CIFAR-10 images, and does gaweb's search beat Optuna's TPE with Hyperband at the same budget?

Data: the CIFAR-10 training split in ../shared; 10,000 images (1,000 per class, by a fixed seed) are held
out as ``test/`` and never reach a search. Each seed runs every arm:

- ``recommended``: gaweb's recommended settings: the surrogate-assisted genetic algorithm in steady-state
  mode, started from the tutorial's values (``ga.seed_genomes``), with successive halving stopping the
  hopeless candidates after their first epoch (the budget goes to those that earn it);
- ``recommended-images``: the same, with successive halving's ``both`` resource: the first 2 epochs train
  on a ninth, then a third of the images, then ``--epochs`` epochs on all of them, so that its rungs are at
  a ninth of an epoch, a third, 1 and 3 epochs (``--epochs`` 3): Hyperband's ladder from a ninth of the
  lowest rung, each promoted candidate going on from its weights;
- ``reference``: the reference algorithm as the write-up ran it (the ``cifar10-tutorial`` preset:
  20 random, then the top 10 of the last generation and of all time, 5% mutation), no early stopping;
- ``optuna``: Optuna's TPE sampler with its ``HyperbandPruner`` (epochs as the resource), driving gaweb's
  own builder and trainer on the same images, asked one at a time (this machine has one worker);
- ``tutorial``: the tutorial network alone (its final training, once per seed).

Every search arm gets the same wall-clock budget (``--minutes``; no training starts after it), or, with
``--budget-epochs N``, the same work: no training starts once the arm's candidates have trained N epochs
in all (an epoch: one pass over the search's training images), so that seeds run on days when the shared
machine is slower or faster compare, and a benchmark run beside other work still measures the search.
Either way, on the same
search images (``--samples`` training images, 20% more for validation, drawn by the seed) for
``--epochs`` epochs per candidate. Then every arm gets the same final training: its ``--top-k`` distinct
best genomes (and the tutorial network, once per seed) trained on ``--final-samples`` of the 40,000
training images, 10% of them held out to pick the arm's model (the test split never chooses), for
``--final-epochs`` epochs, then measured once on the 10,000 held-out images. A genome trained at last
in one arm of a seed is not trained again for another: the same genome, images and seed give the same model.

    .venv/bin/python bench/cifar_budget.py --seeds 1 2          # about 90 minutes a seed on 2 cores
    .venv/bin/python bench/cifar_budget.py --seeds 3 --append   # one more seed, beside those already run
    .venv/bin/python bench/cifar_budget.py --report              # the tables again, from the JSON
    .venv/bin/python bench/cifar_budget.py --seeds 2 --arms recommended --mixed-rungs \
        --output var/mixed_rungs.json    # ablation: the surrogate fits every rung alike, as before the rule
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

from _common import ROOT, SHARED_CIFAR, TEST_PER_CLASS, cifar10_folder, held_out_layout, setup_django, shown

ARMS = ("recommended", "recommended-images", "reference", "optuna")
# The recommended-images arm's epochs on a share of the images, before --epochs on all of them.
IMAGE_RUNGS = 2
OUTPUT = ROOT / "docs" / "benchmarks" / "cifar_budget.json"


def training(args) -> dict:
    return {"epochs": args.epochs, "max_train_samples": args.samples, "validation_fraction": 0.2}


SPACES = {"reference": "cifar10-tutorial", "wide": "cifar10-wide"}


def traits(args) -> list[dict]:
    from searches.spec.presets import preset

    return preset(SPACES[args.space])["traits"]


def gaweb_spec(arm: str, dataset: str, seed: int, args) -> dict:
    from searches.spec.presets import RECOMMENDED_GA, REFERENCE_GA, preset

    spec = preset("cifar10-tutorial")
    spec.update(name=f"cifar budget: {arm}, seed {seed}", dataset=dataset, seed=seed, training=training(args))
    spec["traits"] = traits(args)
    if arm.startswith("recommended"):
        # The recommended settings (the cifar10-wide preset's); generations enough that the budget,
        # not the count, ends the search.
        spec["ga"] = dict(RECOMMENDED_GA)
        spec["training"]["early_stopping"] = {
            "rule": "successive_halving", "min_epochs": args.min_epochs, "reduction": 3,
        }  # fmt: skip
        if arm == "recommended-images":
            spec["training"]["epochs"] += IMAGE_RUNGS
            spec["training"]["early_stopping"].update(resource="both", image_rungs=IMAGE_RUNGS)
    else:
        spec["ga"] = dict(REFERENCE_GA)
    return spec


def run_gaweb(arm: str, dataset: str, seed: int, args) -> dict:
    from searches import services
    from searches.models import Entity, Search
    from searches.reads.best import ranked_best
    from workers.inline import run_inline

    search = services.search_create(spec=gaweb_spec(arm, dataset, seed, args), execution=Search.Execution.INLINE)
    began = time.monotonic()
    timeline: list[tuple[float, float]] = []

    def note(entity_id: int) -> None:
        search.refresh_from_db(fields=["best_fitness"])
        if search.best_fitness is not None and (not timeline or search.best_fitness > timeline[-1][1]):
            timeline.append((round(time.monotonic() - began, 1), search.best_fitness))

    rule = search.stopping_rule

    def epochs_trained() -> float:
        """Passes over the search's images: an epoch on a share of them counts as that share."""
        done = Entity.objects.filter(search=search, epochs__isnull=False).values_list("epochs", flat=True)
        return round(sum(rule.passes(epochs) if rule else epochs for epochs in done), 2)

    def spent() -> str | None:
        if args.budget_epochs and epochs_trained() >= args.budget_epochs:
            return f"its budget of {args.budget_epochs} epochs was spent"
        return None

    run_inline(search.pk, minutes=args.minutes, on_entity=note, spent=spent)
    searched = time.monotonic() - began
    counts = Entity.objects.filter(search=search).exclude(origin=Entity.Origin.IMMIGRANT)
    top = ranked_best(search, args.top_k)
    failed = counts.filter(status=Entity.Status.FAILED)
    return {
        "search_seconds": round(searched, 1),
        "trained": counts.filter(status=Entity.Status.DONE).count(),
        "stopped": counts.filter(status=Entity.Status.STOPPED).count(),
        "failed": counts.filter(status=Entity.Status.FAILED).count(),
        "failures": sorted({e[:200] for e in failed.values_list("error", flat=True)}),
        "timeline": timeline,
        "epochs_trained": epochs_trained(),
        "top": [{"genome": e.genome, "search_fitness": e.fitness} for e in top],
    }


def run_optuna(dataset: str, seed: int, args) -> dict:
    import optuna

    from searches.genetics import Space
    from searches.genetics._tpe import distributions, from_params
    from workers.objectives import get_objective
    from workers.training.trainer import TrainingFailed, train_candidate

    space = Space.from_spec(traits(args))
    setting = training(args)
    data = get_objective("keras").datasets.get(
        dataset, seed=seed, validation_fraction=setting["validation_fraction"],
        max_train_samples=setting["max_train_samples"], image_size=32,
    )  # fmt: skip
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True),
        pruner=optuna.pruners.HyperbandPruner(
            min_resource=args.min_epochs, max_resource=args.epochs, reduction_factor=3
        ),
    )
    dists = distributions(space)
    began = time.monotonic()
    deadline = began + 60 * args.minutes
    timeline: list[tuple[float, float]] = []
    counts = {"trained": 0, "stopped": 0, "failed": 0}
    epochs = [0]  # trained so far, over every trial
    failures: set[str] = set()
    while time.monotonic() < deadline and not (args.budget_epochs and epochs[0] >= args.budget_epochs):
        trial = study.ask(dists)
        genome = from_params(space, trial.params)

        def go_on(epoch, metrics, trial=trial):
            epochs[0] += 1
            trial.report(metrics["val_accuracy"], epoch)
            return not trial.should_prune()

        try:
            outcome = train_candidate(genome, data, epochs=args.epochs, seed=seed + trial.number, go_on=go_on)
        except TrainingFailed as error:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            counts["failed"] += 1
            failures.add(str(error)[:200])
            continue
        if outcome.stopped:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            counts["stopped"] += 1
            continue
        study.tell(trial, outcome.accuracy)
        counts["trained"] += 1
        if not timeline or outcome.accuracy > timeline[-1][1]:
            timeline.append((round(time.monotonic() - began, 1), outcome.accuracy))
    done = sorted(
        (t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE), key=lambda t: (-t.value, t.number)
    )
    top, seen = [], set()
    for trial in done:
        genome = from_params(space, trial.params)
        key = json.dumps(genome, sort_keys=True)
        if key not in seen and len(top) < args.top_k:
            seen.add(key)
            top.append({"genome": genome, "search_fitness": trial.value})
    return {
        "search_seconds": round(time.monotonic() - began, 1), **counts, "failures": sorted(failures),
        "timeline": timeline, "epochs_trained": epochs[0], "top": top,
    }  # fmt: skip


class FinalTrainings:
    """Each genome's final training, once per seed: the same genome, images and seed give the same model."""

    def __init__(self, dataset: str, seed: int, args):
        from workers.objectives import get_objective

        self.data = get_objective("keras").datasets.final(
            dataset, image_size=32, max_train_samples=args.final_samples, seed=seed, validation_fraction=0.1
        )
        self.seed, self.epochs = seed, args.final_epochs
        self.done: dict[str, dict] = {}

    def of(self, genome: dict) -> dict:
        from searches.spec.catalog import TUTORIAL_GENOME
        from workers.training.trainer import TrainingFailed, train_final

        key = json.dumps({**TUTORIAL_GENOME, **genome}, sort_keys=True)
        if key not in self.done:
            began = time.monotonic()
            try:
                outcome = train_final(genome, self.data, epochs=self.epochs, seed=self.seed)
                self.done[key] = {
                    "final_validation": round(outcome.validation_accuracy, 4),
                    "test": round(outcome.test_accuracy, 4),
                    "parameters": outcome.parameter_count,
                    "seconds": round(time.monotonic() - began, 1),
                }
            except TrainingFailed as error:
                self.done[key] = {"error": str(error), "final_validation": None, "test": None}
        return self.done[key]


def differs(genome: dict) -> str:
    from searches.spec.catalog import TUTORIAL_GENOME

    return ", ".join(f"{k}={v}" for k, v in genome.items() if TUTORIAL_GENOME.get(k) != v) or "the tutorial's values"


def run_seed(dataset: str, seed: int, args) -> dict:
    from searches.spec.catalog import TUTORIAL_GENOME

    finals = FinalTrainings(dataset, seed, args)
    began = time.monotonic()
    tutorial = finals.of(dict(TUTORIAL_GENOME))
    print(f"seed {seed}: tutorial network, final training: test {tutorial['test']:.4f}", flush=True)
    arms = {"tutorial": {"final_seconds": round(time.monotonic() - began, 1), "top": [], "final": tutorial}}
    for arm in args.arms:
        budget = f"{args.budget_epochs} epochs" if args.budget_epochs else f"{args.minutes:g} minutes"
        print(f"seed {seed}: {arm}, {budget} of search ...", flush=True)
        result = run_optuna(dataset, seed, args) if arm == "optuna" else run_gaweb(arm, dataset, seed, args)
        began = time.monotonic()
        for row in result["top"]:
            row.update(finals.of(row["genome"]))
        result["final_seconds"] = round(time.monotonic() - began, 1)
        trained = [row for row in result["top"] if row.get("final_validation") is not None]
        result["final"] = max(trained, key=lambda row: row["final_validation"], default=None)
        arms[arm] = result
        picked = result["final"]
        print(
            f"seed {seed}: {arm}: {result['trained']} trained, {result['stopped']} stopped early, "
            f"{result['failed']} failed; best in search "
            f"{result['top'][0]['search_fitness'] if result['top'] else '- (none trained to its last epoch)'}; "
            f"its final model (picked on validation): test {picked['test'] if picked else '-'}",
            flush=True,
        )
    return {"seed": seed, "arms": arms}


def report(result: dict) -> None:
    seeds = result["seeds"]
    print(f"\n{result['command']}\n{result['size']}\n")
    print(f"{'arm':<18} " + " ".join(f"{'seed ' + str(s['seed']):>22}" for s in seeds) + f"  {'median':>8}")
    for arm in ("tutorial", *ARMS):
        cells, tests = [], []
        for s in seeds:
            run = s["arms"].get(arm)
            final = run and run["final"]
            if not final:
                cells.append(f"{'-':>22}")
                continue
            tests.append(final["test"])
            above = 100 * (final["test"] - s["arms"]["tutorial"]["final"]["test"])
            gain = "" if arm == "tutorial" else f" ({above:+.1f})"
            cells.append(f"{final['test']:.4f}{gain:>8} {run.get('trained', 0) + run.get('stopped', 0):>4} ev")
        median = f"{statistics.median(tests):.4f}" if tests else "-"
        print(f"{arm:<18} " + " ".join(f"{c:>22}" for c in cells) + f"  {median:>8}")
    print("\n(test accuracy of the arm's final model, points above the tutorial's, candidates evaluated)\n")
    crowned = picked = runs = 0
    for s in seeds:
        for arm in ARMS:
            top = [row for row in (s["arms"].get(arm) or {}).get("top", []) if row.get("test") is not None]
            if len(top) > 1:
                best_test = max(row["test"] for row in top)
                runs += 1
                crowned += top[0]["test"] == best_test
                picked += s["arms"][arm]["final"]["test"] == best_test
    if runs:
        print(
            f"of {runs} runs' top candidates, the best on test after the final training was the search's crowned "
            f"candidate in {crowned}, and the one picked on the final training's validation share in {picked}\n"
        )
    for s in seeds:
        for arm in ARMS:
            run = s["arms"].get(arm)
            if not run:
                continue
            print(f"seed {s['seed']}, {arm}: its top {len(run['top'])}, trained at last")
            for row in run["top"]:
                mark = "*" if row is run["final"] or row == run["final"] else " "
                print(
                    f"  {mark} search {row['search_fitness']:.4f}  final validation {row.get('final_validation')}  "
                    f"test {row.get('test')}  {differs(row['genome'])}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--space", choices=sorted(SPACES), default="reference", help="the tutorial's, or the wide one")
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=["recommended", "reference", "optuna"])
    parser.add_argument("--minutes", type=float, default=10.0, help="wall-clock search budget of each arm")
    parser.add_argument(
        "--budget-epochs", type=int, default=None,
        help="the search budget as epochs trained in all (one: a pass over --samples images) instead of wall time; "
        "--minutes then only caps it",
    )  # fmt: skip
    parser.add_argument("--samples", type=int, default=3000, help="training images per search candidate")
    parser.add_argument("--epochs", type=int, default=3, help="per search candidate")
    parser.add_argument(
        "--min-epochs", type=int, default=1,
        help="the lowest rung: successive halving's first decision (recommended) and Hyperband's min_resource (optuna)",
    )  # fmt: skip
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--final-samples", type=int, default=10_000, help="of the 40,000 (10%% of them held out)")
    parser.add_argument("--final-epochs", type=int, default=3)
    parser.add_argument("--archive", type=Path, default=SHARED_CIFAR)
    parser.add_argument("--test-per-class", type=int, default=TEST_PER_CLASS, help="images held out per class")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench", help="where the images are unpacked")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--report", action="store_true", help="print the tables of --output and stop")
    parser.add_argument(
        "--mixed-rungs",
        action="store_true",
        help="ablation: the surrogate fits every result as if all had the same budget (before the highest-rung rule)",
    )
    parser.add_argument(
        "--append", action="store_true", help="keep the other seeds already in --output (run with the same settings)"
    )
    args = parser.parse_args()
    if args.report:
        setup_django()
        report(json.loads(args.output.read_text()))
        return

    unpacked = cifar10_folder(args.archive, args.work_dir / "cifar10")
    root = held_out_layout(unpacked, args.work_dir / f"cifar10-{args.test_per_class}-held-out", args.test_per_class)
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-cifar-budget-")))
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.GAWEB_DATA_ROOTS = [root.parent]
    dataset = f"folder:{root}"
    # Load and decode the images before any clock starts: a worker pays it once, not per arm.
    from workers.objectives import get_objective

    get_objective("keras").datasets.dataset(dataset, image_size=32)
    if args.mixed_rungs:
        import searches.genetics._surrogate as surrogate

        surrogate.highest_rung = lambda history, minimum: list(history)
    shown_args = {k: v for k, v in vars(args).items() if k not in ("archive", "output", "work_dir", "report", "append")}
    result = {
        "benchmark": "cifar_budget",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or 'CPU'}",
        "command": "python bench/cifar_budget.py "
        + " ".join(
            f"--{k.replace('_', '-')} {' '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in shown_args.items()
        ),
        "size": (
            f"space: {SPACES[args.space]}; search: "
            + (
                f"{args.budget_epochs} epochs per arm (at most {args.minutes:g} min), "
                if args.budget_epochs
                else f"{args.minutes:g} min per arm, "
            )
            + f"{args.samples:,} training images (+20% validation) x "
            f"{args.epochs} epochs per candidate; final: top {args.top_k} and the tutorial, "
            f"{args.final_samples:,} images (10% held out to pick) x {args.final_epochs} epochs; "
            f"test: {args.test_per_class * 10:,} held-out images"
            + ("; the surrogate fits every rung's results alike (--mixed-rungs)" if args.mixed_rungs else "")
            + (f"; lowest rung: {args.min_epochs} epochs" if args.min_epochs != 1 else "")
        ),
        "seeds": [],
    }
    if args.append and args.output.exists():
        earlier = json.loads(args.output.read_text())
        if earlier["size"] != result["size"]:
            raise SystemExit(f"--append: {shown(args.output)} was run with other settings: {earlier['size']}")
        result["seeds"] = [s for s in earlier["seeds"] if s["seed"] not in args.seeds]
        result["command"] = earlier["command"]
    for seed in args.seeds:
        result["seeds"].append(run_seed(dataset, seed, args))
        result["seeds"].sort(key=lambda s: s["seed"])
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2, default=str) + "\n")  # each seed kept as it ends
    report(result)
    print(f"\nwritten {shown(args.output)}")


if __name__ == "__main__":
    main()
