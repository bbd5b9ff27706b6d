"""A training command gaweb runs once per candidate: its JSON lines are the curve and the result,
its process group ends with it whatever the reason, and each way it can go wrong fails that
candidate with a reason that says how."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest

from searches.spec.presets import preset
from tests.processes import ROOT
from workers.objectives import CandidateCancelled, CandidateFailed, EvaluationRequest
from workers.objectives.command import CommandObjective

SPEC = preset("synthetic") | {"seed": 3, "training": {"epochs": 4}}


def request(genome=None, *, on_epoch=None, cut_off=None, search_ended=None) -> EvaluationRequest:
    return EvaluationRequest(
        entity_id=9, genome=genome or {"learning_rate": 0.1, "l2": 0.001, "features": 3}, spec=SPEC,
        on_epoch=on_epoch, cut_off=cut_off, search_ended=search_ended,
    )  # fmt: skip


def script(tmp_path, body: str) -> CommandObjective:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(body))
    return CommandObjective([sys.executable, str(path), "{genome}"], timeout_seconds=20)


def group_is_gone(pgid: int) -> bool:
    """No live process is left in the group (a killed orphan may stay a zombie until init reaps it)."""

    def alive() -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z" and int(fields[2]) == pgid:
                    found.append(int(stat.parent.name))
        return found

    deadline = time.monotonic() + 5
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive()


def test_the_example_program_reports_each_epoch_and_its_result():
    example = ROOT / "examples" / "objectives" / "logistic_command.py"
    result = CommandObjective([sys.executable, str(example), "{genome}"]).evaluate(request())
    assert [row["epoch"] for row in result.history] == [1, 2, 3, 4]  # GAWEB_EPOCHS
    assert result.accuracy == result.history[-1]["val_accuracy"] and 0.5 < result.accuracy <= 1
    assert result.parameter_count == 4 and not result.stopped


def test_it_gets_its_genome_file_and_settings_in_its_environment(tmp_path):
    seen = script(
        tmp_path,
        """
        import json, os, sys
        genome = json.load(open(sys.argv[1]))
        assert sys.argv[1] == os.environ["GAWEB_GENOME"]
        print(json.dumps({"val_accuracy": genome["x"], "epochs": int(os.environ["GAWEB_EPOCHS"]),
                          "seed": int(os.environ["GAWEB_SEED"]), "entity": int(os.environ["GAWEB_ENTITY"])}))
    """,
    ).evaluate(request({"x": 0.25}))
    assert seen.accuracy == 0.25


def test_a_stop_by_the_rule_kills_its_whole_process_group_and_keeps_the_last_report(tmp_path):
    objective = script(
        tmp_path,
        """
        import json, os, subprocess, time
        subprocess.Popen(["sleep", "60"])  # a child, like a data loader
        for epoch in range(1, 100):
            print(json.dumps({"epoch": epoch, "val_accuracy": 0.1 * epoch, "pid": os.getpid()}), flush=True)
            time.sleep(0.2)
    """,
    )
    result = objective.evaluate(request(on_epoch=lambda epoch, metrics: epoch < 2))
    assert result.stopped and result.accuracy == pytest.approx(0.2) and len(result.history) == 2
    assert group_is_gone(int(result.history[0]["pid"]))


@pytest.mark.parametrize(
    ("ended", "raised", "reason"),
    [
        ("search_ended", CandidateCancelled, "cancelled in training"),
        ("cut_off", CandidateFailed, "no longer this worker's"),
    ],
)
def test_a_cancelled_or_lost_candidate_s_program_is_killed_within_a_poll(tmp_path, ended, raised, reason):
    started = time.monotonic()
    objective = script(
        tmp_path,
        """
        import json, os, time
        print(json.dumps({"epoch": 1, "val_accuracy": 0.5, "pid": os.getpid()}), flush=True)
        time.sleep(60)
    """,
    )
    pids = []

    def on_epoch(epoch, metrics):
        pids.append(int(metrics["pid"]))
        return True

    with pytest.raises(raised, match=reason):
        objective.evaluate(request(on_epoch=on_epoch, **{ended: lambda: bool(pids)}))
    assert group_is_gone(pids[0]) and time.monotonic() - started < 15


def test_a_program_that_hangs_is_killed_at_its_timeout(tmp_path):
    objective = script(tmp_path, "import time\ntime.sleep(60)\n")
    objective.timeout_seconds = 0.5
    with pytest.raises(CandidateFailed, match=r"took longer than its timeout of 0\.5 s"):
        objective.evaluate(request())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("import sys\nprint('loading', file=sys.stderr)\nraise SystemExit(3)\n",
         "exited with status 3; its last lines of standard error:\nloading"),
        ("print('done')\n", "last line is not a JSON object: 'done'"),
        ("", "printed no result"),
        ("print('{\"loss\": 0.3}')\n", "result has no 'val_accuracy'"),
        ("print('{\"val_accuracy\": NaN}')\n", "the result's 'val_accuracy' is nan"),
        ("print('{\"epoch\": 1, \"val_accuracy\": \"high\"}')\n", "epoch 1: val_accuracy must be a number"),
    ],
)  # fmt: skip
def test_each_way_a_program_goes_wrong_fails_the_candidate_saying_how(tmp_path, body, reason):
    with pytest.raises(CandidateFailed, match=re.escape(reason)):
        script(tmp_path, body).evaluate(request())


def test_a_program_that_does_not_exist_fails_the_candidate_naming_it():
    with pytest.raises(CandidateFailed, match="cannot run 'no-such-trainer'"):
        CommandObjective(["no-such-trainer", "{genome}"]).evaluate(request())


def test_its_output_goes_to_the_worker_s_log_under_the_candidate(tmp_path, caplog):
    caplog.set_level("INFO", logger="gaweb.workers.command")
    script(tmp_path, "import json\nprint('epoch 1 of 1')\nprint(json.dumps({'val_accuracy': 0.5}))\n").evaluate(
        request()
    )
    assert "entity #9: epoch 1 of 1" in caplog.text
    assert json.dumps({"val_accuracy": 0.5}) in caplog.text


def test_a_minimised_metric_s_fitness_is_its_negative(tmp_path):
    script(
        tmp_path,
        """
        import json
        print(json.dumps({"epoch": 1, "val_loss": 0.8}))
        print(json.dumps({"val_loss": 0.5}))
    """,
    )
    argv = [sys.executable, str(tmp_path / "train.py"), "{genome}"]
    result = CommandObjective(argv, metric="val_loss", direction="minimize").evaluate(request())
    assert result.accuracy == -0.5 and result.history == [{"epoch": 1, "val_loss": 0.8}]
