"""A confirmation trains the same genome from other initial weights; a first training is repeatable."""

from __future__ import annotations

from searches.spec.presets import preset
from workers.objectives import EvaluationRequest, get_objective

GENOME = {"conv_blocks": 1, "conv1_filters": 8, "dense1_units": 16, "dense2_units": 16, "augment": False,
          "optimizer": "adam", "learning_rate": 0.01}  # fmt: skip


def _train(replicate: int) -> list[dict]:
    spec = {**preset("digits-demo"), "seed": 4}
    spec["training"] = {"epochs": 1, "max_train_samples": 200, "validation_fraction": 0.2, "image_size": 32}
    request = EvaluationRequest(entity_id=0, genome=GENOME, spec=spec, replicate=replicate)
    return get_objective("keras").evaluate(request).history


def test_the_same_training_twice_is_the_same_and_a_confirmation_differs():
    first = _train(0)
    assert _train(0) == first
    assert _train(1) != first
