"""What gaweb costs per candidate for each kind of user objective, against calling the same code directly.

For each example of ``examples/objectives/`` (a Python function, a training command and a Keras
builder), one real Celery worker (through a private Redis, with the examples'
``GAWEB_OBJECTIVES_FILE``) trains a search of ``--candidates`` genomes, one generation, no early
stopping. Then the same genomes are run directly, in this process, one after another:

* the function: ``train(genome, report)`` with a ``report`` that does nothing (``Silent``);
* the command: the same program and arguments, through ``subprocess.run``;
* the Keras builder: ``build(...)`` then ``model.fit`` on the same images (digits, standardised).

Per candidate, gaweb's time is the worker's wall time (its first claim to its last result) over
the candidates, and the overhead is that minus the direct time per candidate: claiming,
recording, breeding, Celery's delivery, the live reports, and for a command, the genome file.

    .venv/bin/python bench/objective_overhead.py      # about 3 minutes on 2 CPU cores
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, isolated_gaweb, shown, start_cpu_workers

EXAMPLES = ROOT / "examples" / "objectives"
KINDS = {"function": "digits_mlp", "command": "logistic_command", "keras builder": "small_resnet"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "objective_overhead.json")
    args = parser.parse_args()
    os.environ["GAWEB_OBJECTIVES_FILE"] = str(EXAMPLES / "objectives.toml")
    var, port = isolated_gaweb("gaweb-bench-")

    from gaweb.runtime.redis_server import PrivateRedis

    redis = PrivateRedis(port=port, folder=var / "redis").start()
    (worker,) = start_cpu_workers(1, var / "worker.log", cpu_count=os.cpu_count() or 1)
    try:
        searches = {kind: through_gaweb(name, args.candidates) for kind, name in KINDS.items()}
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        redis.stop()
    rows = {}
    for kind, (search, entities) in searches.items():
        gaweb_wall = (entities[-1].finished_at - entities[0].started_at).total_seconds()
        direct = directly(kind, search, [e.genome for e in entities])
        per_gaweb, per_direct = gaweb_wall / len(entities), direct / len(entities)
        rows[kind] = {
            "objective": KINDS[kind], "candidates": len(entities), "gaweb_wall_seconds": round(gaweb_wall, 2),
            "direct_wall_seconds": round(direct, 2), "gaweb_per_candidate": round(per_gaweb, 4),
            "direct_per_candidate": round(per_direct, 4), "overhead_per_candidate": round(per_gaweb - per_direct, 4),
        }  # fmt: skip
        print(
            f"{kind:14} gaweb {per_gaweb:.3f} s a candidate, directly {per_direct:.3f} s: "
            f"overhead {1000 * (per_gaweb - per_direct):.0f} ms a candidate "
            f"({100 * (per_gaweb / per_direct - 1):.0f}%)",
            flush=True,
        )
    result = {
        "benchmark": "objective_overhead",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "command": " ".join(["bench/objective_overhead.py", *sys.argv[1:]]),
        "kinds": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {shown(args.output)}")


def through_gaweb(name: str, candidates: int):
    """A one-generation search of the example, trained to its end by the worker; (search, entities by start)."""
    from searches import services
    from searches.models import Entity, ObjectiveOffer, Search

    deadline = time.monotonic() + 120
    while not ObjectiveOffer.objects.filter(name=name).exists():  # the worker says what it has as it starts
        if time.monotonic() > deadline:
            raise SystemExit(f"the worker never offered {name!r}: see its log")
        time.sleep(0.5)
    spec = json.loads((EXAMPLES / f"{name}.json").read_text())
    elites = min(5, candidates)
    spec["ga"] = {"population": candidates, "generations": 1, "elite_previous": elites, "elite_all_time": elites}
    spec["training"] = {k: v for k, v in spec["training"].items() if k != "early_stopping"}
    search = services.search_create(spec=spec)
    services.search_start(search_id=search.pk)
    print(f"{name}: {candidates} candidates on one worker ...", flush=True)
    while Search.objects.get(pk=search.pk).is_active:
        time.sleep(0.5)
    search.refresh_from_db()
    entities = list(Entity.objects.filter(search=search, status=Entity.Status.DONE).order_by("started_at"))
    if len(entities) != candidates:
        raise SystemExit(f"{name}: {len(entities)} of {candidates} candidates trained; see the worker's log")
    return search, entities


class Silent:
    """A ``report`` that does nothing, with the attributes gaweb's has (a search's candidate)."""

    final, seed, epochs = False, 0, 12

    def __call__(self, epoch, **metrics) -> None:
        pass

    def save_model(self, path) -> None:
        pass


def directly(kind: str, search, genomes: list[dict]) -> float:
    """Seconds to run the same genomes with the same code, without gaweb."""
    sys.path.insert(0, str(ROOT))
    if kind == "function":
        from examples.objectives.digits_mlp import train

        train(genomes[0], Silent())  # its imports, as the worker paid them once
        began = time.perf_counter()
        for genome in genomes:
            train(genome, Silent())
        return time.perf_counter() - began
    if kind == "command":
        began = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            for genome in genomes:
                path = Path(folder) / "genome.json"
                path.write_text(json.dumps(genome))
                env = {**os.environ, "GAWEB_EPOCHS": str(search.spec["training"]["epochs"]), "GAWEB_SEED": "1"}
                subprocess.run(
                    ["python3", "logistic_command.py", str(path)], cwd=EXAMPLES, env=env, check=True,
                    capture_output=True,
                )  # fmt: skip
        return time.perf_counter() - began
    from examples.objectives.small_resnet import build
    from workers.training.datasets import DatasetCache
    from workers.training.quietly import keras  # first: TensorFlow's start-up lines kept off the terminal

    training = search.spec["training"]
    data = DatasetCache(data_roots=[], cifar10_path=None).get(
        "digits", seed=search.seed, validation_fraction=training["validation_fraction"],
        max_train_samples=training["max_train_samples"], image_size=training["image_size"],
    )  # fmt: skip
    began = time.perf_counter()
    for genome in genomes:
        keras.backend.clear_session(free_memory=False)
        model = build(genome, data.input_shape, data.num_classes)
        model.fit(
            data.x_train, data.y_train, batch_size=genome["batch_size"], epochs=training["epochs"],
            validation_data=(data.x_val, data.y_val), verbose=0,
        )  # fmt: skip
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
