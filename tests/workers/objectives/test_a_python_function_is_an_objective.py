"""A user's ``train(genome, report)`` function scores genomes: its reports feed the curve and the
stopping rule, and whatever goes wrong in it fails that candidate only, with the reason."""

from __future__ import annotations

import math

import pytest

from searches.spec.presets import preset
from workers.objectives import CandidateFailed, CandidateStopped, EvaluationRequest, FunctionObjective


def request(on_epoch=None) -> EvaluationRequest:
    return EvaluationRequest(
        entity_id=1,
        genome={"x": 0.5},
        spec=preset("synthetic") | {"seed": 1, "training": {"epochs": 9}},
        on_epoch=on_epoch,
    )


def test_a_returned_number_is_the_fitness_and_the_reports_are_the_history():
    def train(genome, report):
        for epoch in (1, 2):
            report(epoch, val_accuracy=genome["x"] * epoch / 2, loss=1 / epoch)
        return genome["x"]

    result = FunctionObjective(train).evaluate(request())
    assert result.accuracy == 0.5 and not result.stopped
    assert result.history == [
        {"epoch": 1, "val_accuracy": 0.25, "loss": 1.0},
        {"epoch": 2, "val_accuracy": 0.5, "loss": 0.5},
    ]


def test_a_returned_dict_gives_the_fitness_under_the_objectives_metric_and_the_model_size():
    def train(genome, report):
        return {"score": 0.8, "parameter_count": 1234}

    result = FunctionObjective(train, metric="score").evaluate(request())
    assert (result.accuracy, result.parameter_count) == (0.8, 1234)


def test_a_minimised_metric_s_fitness_is_its_negative_for_the_rule_and_the_result():
    seen = []

    def train(genome, report):
        report(1, val_loss=0.9)
        report(2, val_loss=0.4)
        return {"val_loss": 0.3}

    def on_epoch(epoch, metrics):
        seen.append(metrics["val_accuracy"])  # what the stopping rule reads: higher is better
        return True

    result = FunctionObjective(train, metric="val_loss", direction="minimize").evaluate(request(on_epoch))
    assert seen == [-0.9, -0.4] and result.accuracy == -0.3
    assert result.history[1] == {"epoch": 2, "val_loss": 0.4}  # the curve keeps the metric as reported
    with pytest.raises(ValueError, match="maximize or minimize"):
        FunctionObjective(train, direction="down")


def test_the_stopping_rule_sees_each_reported_fitness_and_a_stop_keeps_the_last_one():
    seen = []

    def on_epoch(epoch, metrics):
        seen.append((epoch, metrics["val_accuracy"]))
        return epoch < 2

    def train(genome, report):
        for epoch in range(1, 10):
            report(epoch, score=0.1 * epoch)
        raise AssertionError("report() should have stopped it at epoch 2")

    result = FunctionObjective(train, metric="score").evaluate(request(on_epoch))
    assert seen == [(1, 0.1), (2, 0.2)]
    assert result.stopped and result.accuracy == pytest.approx(0.2) and len(result.history) == 2


def test_a_stop_at_the_last_epoch_changes_nothing():
    def train(genome, report):
        for epoch in range(1, 10):
            report(epoch, val_accuracy=0.05 * epoch)
        return 0.45

    result = FunctionObjective(train).evaluate(request(lambda epoch, metrics: epoch < 9))
    assert not result.stopped and result.accuracy == 0.45 and len(result.history) == 9


def test_a_function_that_catches_the_stop_and_raises_it_again_is_stopped():
    # A function may catch CandidateStopped to tidy up, then raise it again.
    def train(genome, report):
        try:
            report(1, val_accuracy=0.3)
        except CandidateStopped:
            raise

    result = FunctionObjective(train).evaluate(request(lambda epoch, metrics: False))
    assert result.stopped and result.accuracy == 0.3


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        (math.nan, "the returned fitness is nan"),
        ("0.9", "the returned fitness must be a number, not str"),
        (None, "the returned fitness must be a number, not NoneType"),
        ({"loss": 0.1}, "without 'val_accuracy'"),
    ],
)
def test_a_result_that_is_not_a_finite_number_fails_the_candidate_with_what_came_back(returned, reason):
    with pytest.raises(CandidateFailed, match=reason):
        FunctionObjective(lambda genome, report: returned).evaluate(request())


def test_an_error_in_the_function_fails_the_candidate_with_the_error_as_its_reason():
    def train(genome, report):
        raise MemoryError("no room for 4096 units")

    with pytest.raises(CandidateFailed, match="MemoryError: no room for 4096 units"):
        FunctionObjective(train).evaluate(request())


def test_a_report_that_is_not_a_number_fails_the_candidate():
    def train(genome, report):
        report(1, val_accuracy=float("inf"))

    with pytest.raises(CandidateFailed, match="report\\(\\): val_accuracy is inf"):
        FunctionObjective(train).evaluate(request())
