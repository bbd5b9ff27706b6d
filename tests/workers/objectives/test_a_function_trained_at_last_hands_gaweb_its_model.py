"""A ``train(genome, report)`` function that declares ``trains_final`` is trained at last in its
final mode (``report.final``): gaweb keeps the file it saves and its measure on held-out data;
in a search's candidates a saved file is only checked, and ``report.seed`` seeds each training."""

from __future__ import annotations

import pytest

from searches.spec.presets import preset
from workers.objectives import CandidateFailed, EvaluationRequest, FunctionObjective


def request(*, replicate: int = 0, spec=None) -> EvaluationRequest:
    return EvaluationRequest(
        entity_id=1,
        genome={"x": 0.5},
        spec=spec or preset("synthetic") | {"seed": 1, "training": {"epochs": 3}},
        replicate=replicate,
    )


def saving(tmp_path, seen=None):
    def train(genome, report):
        if seen is not None:
            seen.append((report.final, report.seed, report.epochs))
        path = tmp_path / "model.joblib"
        path.write_bytes(b"weights of " + str(genome["x"]).encode())
        report.save_model(path)
        path.unlink()  # read already: the function may clean up at once
        if report.final:
            return {"test_accuracy": 0.81, "test_loss": 0.6, "parameter_count": 12}
        return {"val_accuracy": 0.9}

    return train


def test_a_final_training_keeps_the_saved_file_and_the_measure_on_held_out_data(tmp_path):
    seen = []
    final = FunctionObjective(saving(tmp_path, seen), trains_final=True).train_final(request())
    assert (final.test_accuracy, final.test_loss, final.parameter_count) == (0.81, 0.6, 12)
    assert (final.model, final.model_filename) == (b"weights of 0.5", "model.joblib")
    assert seen[0][0] is True


def test_a_search_s_candidate_checks_a_saved_file_but_keeps_nothing(tmp_path):
    seen = []
    result = FunctionObjective(saving(tmp_path, seen), trains_final=True).evaluate(request())
    assert result.accuracy == 0.9 and seen[0][0] is False

    def saves_nothing_there(genome, report):
        report.save_model(tmp_path / "not-written.pt")
        return 0.5

    with pytest.raises(CandidateFailed, match="no such file"):
        FunctionObjective(saves_nothing_there).evaluate(request())


def test_report_seed_is_the_same_for_a_genome_and_another_for_its_confirmation(tmp_path):
    seen = []
    objective = FunctionObjective(saving(tmp_path, seen), trains_final=True)
    objective.evaluate(request())
    objective.evaluate(request())
    objective.evaluate(request(replicate=1))
    (_, first, epochs), (_, again, _), (_, confirmation, _) = seen
    assert first == again != confirmation and epochs == 3


def test_the_final_training_runs_for_final_epochs_where_the_spec_gives_them(tmp_path):
    seen = []
    spec = preset("synthetic") | {"seed": 1, "training": {"epochs": 3}, "final": {"epochs": 7}}
    FunctionObjective(saving(tmp_path, seen), trains_final=True).train_final(request(spec=spec))
    assert seen == [(True, seen[0][1], 7)]


def test_a_function_without_trains_final_is_not_trained_at_last(tmp_path):
    with pytest.raises(CandidateFailed, match="trains_final"):
        FunctionObjective(saving(tmp_path)).train_final(request())


def test_a_final_result_without_its_held_out_measure_fails_saying_which_key(tmp_path):
    def train(genome, report):
        return {"accuracy_on_train": 0.99}

    with pytest.raises(CandidateFailed, match="'test_accuracy'"):
        FunctionObjective(train, trains_final=True).train_final(request())


def test_a_minimised_metric_s_final_measure_is_signed_as_its_fitness(tmp_path):
    def train(genome, report):
        return {"test_loss": 0.25}

    final = FunctionObjective(train, metric="val_loss", direction="minimize", trains_final=True).train_final(request())
    assert final.test_accuracy == -0.25 and final.test_loss == 0.25


def test_a_final_training_that_saves_nothing_still_gives_its_measure(tmp_path):
    final = FunctionObjective(lambda genome, report: 0.7, trains_final=True).train_final(request())
    assert (final.test_accuracy, final.model) == (0.7, b"")
