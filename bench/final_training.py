"""From search to a trained model on CIFAR-10: the best's test accuracy next to the tutorial network's.

The CIFAR-10 training split in ../shared is the only CIFAR-10 here (its test split is not), so
this script holds out its own test split: 1,000 images per class (10,000 in all, drawn by a
fixed seed), laid out as ``test/<class>/`` beside the other 40,000 in ``train/<class>/``,
the layout ``folder:`` datasets and ``GAWEB_CIFAR10_PATH`` take. Then, inline (the workers'
own code path, in this process):

1. a small search over the tutorial's space (``training.max_train_samples`` images, few epochs:
   what a CPU allows), with the tutorial network trained as its baseline;
2. its final training: the best ``--top-k`` genomes and the tutorial's own network, each
   trained the same way on up to ``--final-samples`` of the 40,000 images for ``--final-epochs``
   epochs, then measured once on the 10,000 held-out images.

    .venv/bin/python bench/final_training.py     # about 20 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

from _common import ROOT, SHARED_CIFAR, cifar10_folder, setup_django, shown

TEST_PER_CLASS = 1000
SPLIT_SEED = 2026


def held_out_layout(train: Path, into: Path, per_class: int) -> Path:
    """``into/train/<class>`` and ``into/test/<class>`` (hard links to the unpacked images)."""
    if (into / "test").is_dir():
        return into
    for folder in sorted(p for p in train.iterdir() if p.is_dir()):
        images = sorted(folder.iterdir())
        random.Random(f"{SPLIT_SEED}-{folder.name}").shuffle(images)
        for part, chosen in (("test", images[:per_class]), ("train", images[per_class:])):
            target = into / part / folder.name
            target.mkdir(parents=True, exist_ok=True)
            for image in chosen:
                os.link(image, target / image.name)
    return into


def search_spec(root: Path, args) -> dict:
    from searches.spec.presets import preset

    spec = preset("cifar10-tutorial")
    spec.update(name="CIFAR-10 to a trained model", dataset=f"folder:{root}", seed=args.seed, baseline=True)
    spec["ga"] = {**spec["ga"], "population": args.population, "generations": args.generations,
                  "elite_previous": args.population // 2, "elite_all_time": args.population // 2}  # fmt: skip
    spec["training"] = {"epochs": args.epochs, "max_train_samples": args.samples, "validation_fraction": 0.2}
    spec["final"] = {"top_k": args.top_k, "epochs": args.final_epochs, "max_train_samples": args.final_samples,
                     "include_baseline": True}  # fmt: skip
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, default=SHARED_CIFAR)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--population", type=int, default=6)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2, help="per search candidate")
    parser.add_argument("--samples", type=int, default=2000, help="training images per search candidate")
    parser.add_argument("--top-k", type=int, default=1)
    parser.add_argument("--final-epochs", type=int, default=6)
    parser.add_argument("--final-samples", type=int, default=10_000, help="of the 40,000 training images")
    parser.add_argument("--test-per-class", type=int, default=TEST_PER_CLASS, help="images held out per class")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench", help="where the images are unpacked")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "final_training.json")
    args = parser.parse_args()

    unpacked = cifar10_folder(args.archive, args.work_dir / "cifar10")
    root = held_out_layout(unpacked, args.work_dir / f"cifar10-{args.test_per_class}-held-out", args.test_per_class)
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-final-")))
    from django.conf import settings
    from django.core.management import call_command

    from searches import services
    from searches.models import Search
    from searches.reads.selectors import best_entity, final_results
    from workers.inline import run_final_inline, run_inline

    call_command("migrate", verbosity=0)
    settings.GAWEB_DATA_ROOTS = [root.parent]
    spec = search_spec(root, args)
    began = time.perf_counter()
    search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)
    searched = time.perf_counter() - began
    best = best_entity(search)
    print(f"search: {search.status} in {searched:.0f} s, best fitness {best.fitness:.4f}", flush=True)
    began = time.perf_counter()
    run_final_inline(search.pk)
    trained = time.perf_counter() - began
    rows = final_results(search)
    print(f"final training: {trained:.0f} s\n")
    heading = f"{'rank':>8}  {'validation (search)':>19}  {'test accuracy':>13}  {'parameters':>10}"
    print(heading + "  differs from the tutorial")
    for row in rows:
        differs = ", ".join(f"{name}={row['genome'][name]}" for name in row["differs_from_tutorial"]) or "-"
        validation = "-" if row["validation_accuracy"] is None else f"{row['validation_accuracy']:.4f}"
        test = "-" if row["test_accuracy"] is None else f"{row['test_accuracy']:.4f}"
        print(f"{'tutorial' if row['tutorial'] else row['rank']:>8}  {validation:>19}  {test:>13}  "
              f"{row['parameter_count'] or 0:>10,}  {differs}")  # fmt: skip
    result = {
        "benchmark": "final_training",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "command": "python bench/final_training.py "
        + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k not in ("archive", "output", "work_dir")
        ),
        "data": f"the CIFAR-10 training split, {args.test_per_class * 10:,} images held out as the test split",
        "search_seconds": searched,
        "final_seconds": trained,
        "search_best_fitness": best.fitness,
        "spec": {**spec, "dataset": f"folder:{shown(root)}"},  # no path of this machine in the figures
        "final": [{k: v for k, v in row.items() if k != "error"} for row in rows],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten {shown(args.output)}")


if __name__ == "__main__":
    main()
