"""A search of a training command cancelled while a real worker runs its program: the program's
whole process group is killed within a heartbeat, its candidate ends cancelled with no result,
and the worker goes on to other work."""

from __future__ import annotations

import json
import sys
import textwrap

from searches import services
from searches.models import Entity, ObjectiveOffer, Search
from tests.processes import run_command, wait_until

from .test_a_training_command_is_an_objective import group_is_gone

SLOW = """
    import json, os, subprocess, time
    subprocess.Popen(["sleep", "300"])  # a child, like a data loader
    print(json.dumps({"epoch": 1, "val_accuracy": 0.5, "pid": os.getpid()}), flush=True)
    time.sleep(300)
"""


def test_cancelling_the_search_kills_the_program_and_ends_its_candidate_cancelled(workers, process_env, tmp_path):
    (tmp_path / "slow.py").write_text(textwrap.dedent(SLOW))
    (tmp_path / "objectives.toml").write_text(f'[slow]\ncommand = ["{sys.executable}", "slow.py", "{{genome}}"]\n')
    workers.env.update(GAWEB_OBJECTIVES_FILE=str(tmp_path / "objectives.toml"), GAWEB_HEARTBEAT_SECONDS="1")
    workers.start(1, preload_keras=False)
    assert wait_until(ObjectiveOffer.objects.filter(name="slow").exists, timeout=60), workers.logs()
    spec = {
        "name": "slow command", "objective": "slow", "seed": 1,
        "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
        "training": {"epochs": 3},
        "traits": [{"name": "x", "type": "float", "low": 0, "high": 1}],
    }  # fmt: skip
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    assert run_command(process_env, "runsearch", str(tmp_path / "spec.json"), timeout=60).returncode == 0

    def reported():  # the running candidate whose program has printed its first epoch
        return [e for e in Entity.objects.filter(status=Entity.Status.RUNNING) if e.history]

    assert wait_until(reported, timeout=60), workers.logs()
    program = int(reported()[0].history[0]["pid"])
    services.search_cancel(search_id=Search.objects.get().pk)

    assert wait_until(lambda: not Entity.objects.filter(status=Entity.Status.RUNNING).exists(), timeout=30)
    assert group_is_gone(program)
    assert set(Entity.objects.values_list("status", flat=True)) == {Entity.Status.CANCELLED}
    assert Entity.objects.filter(error__startswith="cancelled in training").count() == 1
