"""Successive halving's images resource reaches every kind of objective: gaweb's trainer (the keras
objective, and a user's Keras builder) trains each epoch's share; a function reads it from
``report.share``; a command from ``GAWEB_IMAGE_SHARES``. A final training trains on all."""

from __future__ import annotations

import math
import sys
import textwrap

import pytest

from searches.spec.presets import preset
from workers.objectives import EvaluationRequest, FunctionObjective
from workers.objectives.command import CommandObjective
from workers.objectives.keras import KerasObjective
from workers.training.builder import build_model, compile_model
from workers.training.trainer import complete_genome

IMAGES = {"rule": "successive_halving", "resource": "images", "image_rungs": 2}
SHARES = [1 / 9, 1 / 3, 1.0]


def spec(early_stopping) -> dict:
    training = {"epochs": 3, "max_train_samples": 540, "validation_fraction": 0.2, "early_stopping": early_stopping}
    return preset("synthetic") | {"seed": 3, "objective": "keras", "training": training}


def request(early_stopping=IMAGES, genome=None) -> EvaluationRequest:
    return EvaluationRequest(entity_id=5, genome=genome or {"x": 0.5}, spec=spec(early_stopping))


def test_the_request_says_each_epoch_s_share_and_none_without_the_resource():
    assert request().image_shares == pytest.approx(tuple(SHARES))
    assert request({"rule": "successive_halving"}).image_shares is None
    assert request(None).image_share(2) == 1.0


def test_a_keras_builder_trains_each_epoch_on_its_share_with_one_optimizer():
    models = []

    def build(genome, input_shape, num_classes):
        whole = complete_genome({"conv_blocks": 1, "conv1_filters": 8, "dense1_units": 16, "dense2_units": 16,
                                 "augment": False, "batch_size": 30})  # fmt: skip
        models.append(build_model(whole, input_shape=input_shape, num_classes=num_classes))
        compile_model(models[-1], whole)
        return models[-1]

    result = KerasObjective(build).evaluate(request(genome={"batch_size": 30}))
    trained = 540  # max_train_samples
    assert [row["epoch"] for row in result.history] == [1, 2, 3]
    assert int(models[0].optimizer.iterations) == sum(math.ceil(math.ceil(s * trained) / 30) for s in SHARES)


def test_a_function_reads_the_share_of_each_epoch_from_its_report():
    seen = []

    def train(genome, report):
        for epoch in (1, 2, 3):
            seen.append(report.share(epoch))
            report(epoch, val_accuracy=0.1 * epoch)
        return 0.3

    FunctionObjective(train).evaluate(request())
    assert seen == pytest.approx(SHARES)


def test_a_command_finds_the_shares_in_its_environment_and_none_in_a_final_training(tmp_path):
    # The program answers with the sum of the shares it was given (0 for none) as its measure.
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent("""
        import json, os
        shares = os.environ.get("GAWEB_IMAGE_SHARES")
        total = sum(map(float, shares.split(","))) if shares else 0.0
        assert shares is None or shares == "0.1111,0.3333,1", shares
        print(json.dumps({"val_accuracy": total, "test_accuracy": total}))
    """))  # fmt: skip
    objective = CommandObjective([sys.executable, str(path)], timeout_seconds=20, trains_final=True)
    assert objective.evaluate(request()).accuracy == pytest.approx(1.4444)
    assert objective.train_final(request()).test_accuracy == 0.0
