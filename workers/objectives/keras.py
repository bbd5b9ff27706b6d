"""The ``keras`` objective: trains the genome's network on the search's dataset."""

from __future__ import annotations

import time

from django.conf import settings

from searches.genetics import genome_hash
from workers.training.datasets import DatasetCache, DatasetMissing
from workers.training.trainer import TrainingFailed, train_candidate

from .base import CandidateFailed, EvaluationRequest, EvaluationResult, SearchFatal


class KerasObjective:
    """Holds this process's datasets, so that each is loaded once for all its candidates."""

    def __init__(self) -> None:
        self.datasets = DatasetCache(data_roots=settings.GAWEB_DATA_ROOTS, cifar10_path=settings.GAWEB_CIFAR10_PATH)

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        training = request.training
        started = time.perf_counter()
        try:
            data = self.datasets.get(
                request.spec["dataset"],
                seed=request.seed,
                validation_fraction=training["validation_fraction"],
                max_train_samples=training["max_train_samples"],
                image_size=training["image_size"],
            )
        except DatasetMissing as error:
            raise SearchFatal(str(error)) from error
        loaded = time.perf_counter() - started
        # The same genome in the same search starts from the same weights; a confirmation from others.
        seed = (request.seed + int(genome_hash(request.genome)[:8], 16) + 7919 * request.replicate) % 2**31
        try:
            outcome = train_candidate(
                request.genome, data, epochs=training["epochs"], seed=seed, go_on=request.go_on
            )
        except TrainingFailed as error:
            raise CandidateFailed(str(error), recycle_process=error.out_of_memory) from error
        return EvaluationResult(
            accuracy=outcome.accuracy,
            parameter_count=outcome.parameter_count,
            train_seconds=outcome.timings["fit"],
            history=outcome.history,
            timings={"dataset": loaded, **outcome.timings, "dataset_loads": self.datasets.loads},
            dataset_info={"input_shape": list(data.input_shape), "class_names": list(data.class_names)},
            stopped=outcome.stopped,
        )
