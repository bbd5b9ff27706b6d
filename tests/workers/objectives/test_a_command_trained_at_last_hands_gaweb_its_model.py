"""A training command configured with ``trains_final`` is trained at last with ``GAWEB_FINAL=1``:
gaweb keeps the one file it writes into ``GAWEB_MODEL_DIR`` and its measure on held-out data."""

from __future__ import annotations

import sys
import textwrap

import pytest

from searches.spec.presets import preset
from tests.processes import ROOT
from workers.objectives import CandidateFailed, EvaluationRequest
from workers.objectives.command import CommandObjective

EXAMPLE = ROOT / "examples" / "objectives" / "logistic_command.py"


def request() -> EvaluationRequest:
    genome = {"learning_rate": 0.1, "l2": 0.001, "features": 3}
    return EvaluationRequest(
        entity_id=4, genome=genome, spec=preset("synthetic") | {"seed": 2, "training": {"epochs": 2}}
    )


def script(tmp_path, body: str) -> CommandObjective:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(body))
    return CommandObjective([sys.executable, str(path), "{genome}"], timeout_seconds=20, trains_final=True)


def test_the_example_command_saves_its_weights_and_measures_on_its_test_points():
    command = CommandObjective([sys.executable, str(EXAMPLE), "{genome}"], timeout_seconds=60, trains_final=True)
    final = command.train_final(request())
    assert final.model_filename == "logistic.json" and b'"weights"' in final.model
    assert 0.5 < final.test_accuracy <= 1.0 and [row["epoch"] for row in final.history] == [1, 2]


def test_a_command_that_writes_two_files_fails_asking_for_one(tmp_path):
    command = script(tmp_path, """
        import os, pathlib
        folder = pathlib.Path(os.environ["GAWEB_MODEL_DIR"])
        (folder / "a.pt").write_text("a"); (folder / "b.pt").write_text("b")
        print('{"test_accuracy": 0.5}')
    """)  # fmt: skip
    with pytest.raises(CandidateFailed, match=r"holds 2 files \(a\.pt, b\.pt\).*one file"):
        command.train_final(request())


def test_a_command_without_trains_final_is_not_trained_at_last():
    command = CommandObjective([sys.executable, str(EXAMPLE), "{genome}"])
    with pytest.raises(CandidateFailed, match="trains_final"):
        command.train_final(request())


def test_a_final_result_without_its_held_out_measure_fails_saying_which_key(tmp_path):
    command = script(tmp_path, """print('{"train_accuracy": 0.99}')""")
    with pytest.raises(CandidateFailed, match="'test_accuracy'"):
        command.train_final(request())


def test_a_final_training_runs_for_the_final_epochs_and_a_candidate_for_the_search_s(tmp_path):
    command = script(tmp_path, """
        import json, os, pathlib
        epochs = int(os.environ["GAWEB_EPOCHS"])
        for epoch in range(1, epochs + 1):
            print(json.dumps({"epoch": epoch, "val_accuracy": 0.5}))
        if os.environ.get("GAWEB_FINAL"):
            (pathlib.Path(os.environ["GAWEB_MODEL_DIR"]) / "m.txt").write_text("m")
            print(json.dumps({"test_accuracy": 0.5}))
        else:
            print(json.dumps({"val_accuracy": 0.5}))
    """)  # fmt: skip
    spec = preset("synthetic") | {"seed": 2, "training": {"epochs": 2}, "final": {"epochs": 5}}
    asked = EvaluationRequest(entity_id=4, genome={"x": 1}, spec=spec)
    assert [row["epoch"] for row in command.train_final(asked).history] == [1, 2, 3, 4, 5]
    assert [row["epoch"] for row in command.evaluate(asked).history] == [1, 2]
