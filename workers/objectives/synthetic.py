"""A known, smooth fitness landscape over any search space, for tests, demos and simulations.

Each trait gets a target position on its own scale (log scale for geometric
traits), derived from a hash of its name, so that the landscape is the same in
every process and every run. On a discrete trait the target is snapped to a grid
value, so the optimum is always a genome of the space. A genome's accuracy is

    0.1 + 0.85 * mean over traits of exp(-(position - target)^2 / (2 * 0.2^2))

between 0.1 (a random guess on 10 classes) and 0.95 (every trait on target).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from searches.genetics import Space, Trait, genome_hash
from searches.spec.catalog import folder_of
from workers.training.loaders import locate_folder
from workers.training.sources import DatasetMissing

from .base import CandidateFailed, EvaluationRequest, EvaluationResult, HostCannotTrain

FLOOR = 0.1
SPAN = 0.85
WIDTH = 0.2


def target_position(trait: Trait) -> float:
    """Where on [0, 1] the trait's best value lies."""
    digest = hashlib.sha256(trait.name.encode()).digest()
    wanted = 0.2 + 0.6 * int.from_bytes(digest[:4], "big") / 2**32
    grid = trait.grid()
    if grid is None:
        return wanted
    return min((trait.position(v) for v in grid), key=lambda p: abs(p - wanted))


def synthetic_accuracy(space: Space, genome: Mapping[str, Any]) -> float:
    closeness = [
        math.exp(-((trait.position(genome[trait.name]) - target_position(trait)) ** 2) / (2 * WIDTH**2))
        for trait in space
    ]
    return FLOOR + SPAN * sum(closeness) / len(closeness)


def synthetic_parameter_count(space: Space, genome: Mapping[str, Any]) -> int:
    """A stand-in model size that grows with every trait's position, for the size penalty."""
    mean_position = sum(trait.position(genome[trait.name]) for trait in space) / len(space)
    return 10_000 + round(1_000_000 * mean_position)


def synthetic_optimum(space: Space) -> dict[str, Any]:
    """The genome with the highest synthetic accuracy."""
    genome = {}
    for trait in space:
        target = target_position(trait)
        grid = trait.grid()
        if grid is not None:
            genome[trait.name] = min(grid, key=lambda v: abs(trait.position(v) - target))
        elif trait.kind == "geometric_float":
            genome[trait.name] = trait.low * (trait.high / trait.low) ** target
        else:
            genome[trait.name] = trait.low + target * (trait.high - trait.low)
    return genome


def simulated_slowdown() -> float:
    """How much slower this worker is than the others (``GAWEB_SIMULATED_SLOWDOWN``), to simulate
    a mix of fast and old GPUs with the synthetic objective's delays."""
    try:
        return max(float(os.environ.get("GAWEB_SIMULATED_SLOWDOWN", "1")), 0.0)
    except ValueError:
        return 1.0


class SyntheticObjective:
    """Scores a genome with ``synthetic_accuracy``, after ``training.synthetic_delay`` seconds.

    ``training.synthetic_crash`` (a share of the genomes, by hash) makes those genomes kill
    the worker process that trains them, every time, to test that a search survives it.
    It has no network to train at last: final training needs the keras objective.

    It reads no image, but a search on a ``folder:`` dataset needs the folder on this machine,
    as real training does: a simulated cluster meets a machine without the dataset as a real
    one would.
    """

    def train_final(self, request: EvaluationRequest):
        raise CandidateFailed("final training trains a network: this search's objective is synthetic")

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        started = time.perf_counter()
        folder = folder_of(request.settings.dataset)
        if folder is not None:
            try:
                locate_folder(folder, data_roots=settings.GAWEB_DATA_ROOTS)
            except DatasetMissing as error:
                raise HostCannotTrain(str(error)) from error
        space = request.settings.space
        delay = request.training.synthetic_delay * simulated_slowdown()
        spread = request.training.synthetic_delay_cv
        if delay and spread:
            # A lognormal factor with mean 1 and this coefficient of variation, fixed by the genome.
            sigma = math.sqrt(math.log(1 + spread**2))
            rng = random.Random(genome_hash(request.genome))
            delay *= math.exp(rng.gauss(-(sigma**2) / 2, sigma))
        accuracy = synthetic_accuracy(space, request.genome)
        epochs = request.training.epochs
        # Epoch by epoch, the delay spread over them, along a learning curve that rises to the
        # final accuracy: early stopping and live curves see what real training would show.
        history, stopped = [], False
        for epoch in range(request.resume_epoch + 1, epochs + 1):  # a promoted candidate goes on from its rung
            if delay:
                time.sleep(delay / epochs)
            history.append({"epoch": epoch, "val_accuracy": FLOOR + (accuracy - FLOOR) * epoch / epochs})
            if not request.go_on(epoch, {"val_accuracy": history[-1]["val_accuracy"]}) and epoch < epochs:
                stopped = True
                break
        crash = request.training.synthetic_crash
        if crash and int(genome_hash(request.genome)[:8], 16) / 2**32 < crash:
            if os.environ.get("GAWEB_WORKER") == "1":
                os._exit(86)  # as a segmentation fault or the kernel's OOM killer would end a worker
            raise CandidateFailed("the synthetic objective was told to crash on this genome")
        return EvaluationResult(
            accuracy=history[-1]["val_accuracy"],
            parameter_count=synthetic_parameter_count(space, request.genome),
            train_seconds=time.perf_counter() - started,
            history=history,
            stopped=stopped,
            weights=b"" if stopped and request.keep_weights else None,  # a landscape has no weights to keep
        )
