"""The ``keras`` objective: trains the genome's network on the search's dataset."""

from __future__ import annotations

import time

from django.conf import settings

from workers.training.datasets import DatasetCache, DatasetMissing, NoTestSplit
from workers.training.trainer import TrainingFailed, train_candidate, train_final

from .base import CandidateFailed, EvaluationRequest, EvaluationResult, FinalResult, HostCannotTrain


class KerasObjective:
    """Holds this process's datasets, so that each is loaded once for all its candidates.

    ``build``: a user's own network, ``build(genome, input_shape, num_classes) -> keras.Model``
    (compiled), trained by gaweb's trainer on gaweb's datasets in place of gaweb's network.
    """

    def __init__(self, build=None) -> None:
        self.build = build
        self.datasets = DatasetCache(
            data_roots=settings.GAWEB_DATA_ROOTS,
            cifar10_path=settings.GAWEB_CIFAR10_PATH,
            cache_dir=settings.VAR_DIR / "cache" / "datasets",
        )

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        training = request.training
        started = time.perf_counter()
        try:
            data = self.datasets.get(
                request.settings.dataset,
                seed=request.seed,
                validation_fraction=training.validation_fraction,
                max_train_samples=training.max_train_samples,
                image_size=training.image_size,
            )
        except DatasetMissing as error:  # here; another machine may have it
            raise HostCannotTrain(str(error)) from error
        loaded = time.perf_counter() - started
        seed = request.training_seed
        try:
            outcome = train_candidate(
                request.genome, data, epochs=training.epochs, seed=seed, go_on=request.go_on, build=self.build,
                share=request.image_share if request.image_shares else None,
                resume=(request.resume_epoch, request.resume_weights) if request.resume_epoch else None,
                keep_weights=request.keep_weights,
            )  # fmt: skip
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
            weights=outcome.weights,
        )

    def train_final(self, request: EvaluationRequest) -> FinalResult:
        """Train the genome on every search image (``final.max_train_samples`` caps them) for
        ``final.epochs``, then measure it once on the test split; a dataset without one fails it."""
        final = request.settings.final
        try:
            data = self.datasets.final(
                request.settings.dataset, image_size=request.training.image_size,
                max_train_samples=final.max_train_samples, seed=request.seed,
                validation_fraction=final.validation_fraction,
            )  # fmt: skip
        except NoTestSplit as error:  # the same on every machine
            raise CandidateFailed(str(error)) from error
        except DatasetMissing as error:  # here; another machine may have it
            raise HostCannotTrain(str(error)) from error
        try:
            outcome = train_final(
                request.genome, data, epochs=request.settings.final_epochs, seed=request.training_seed,
                go_on=request.go_on, build=self.build,
            )  # fmt: skip
        except TrainingFailed as error:
            raise CandidateFailed(str(error), recycle_process=error.out_of_memory) from error
        return FinalResult(
            test_accuracy=outcome.test_accuracy,
            test_loss=outcome.test_loss,
            parameter_count=outcome.parameter_count,
            train_seconds=outcome.timings["fit"],
            model=outcome.model,
            history=outcome.history,
            timings={
                **outcome.timings, "trained_images": len(data.y_train), "test_images": len(data.y_test),
                "validation_images": len(data.y_val),
            },
            validation_accuracy=outcome.validation_accuracy,
        )  # fmt: skip
