"""The three example objectives of docs/own-model.md, registered on a real worker through the examples'
GAWEB_OBJECTIVES_FILE, each complete a search through Redis: a Python function (a scikit-learn
MLP), a Keras builder (a small ResNet) and a training command; the function's and the command's
reports stop hopeless candidates early."""

from __future__ import annotations

from searches.models import Entity, ObjectiveOffer, Search
from tests.processes import ROOT, run_command, wait_until

EXAMPLES = ROOT / "examples" / "objectives"


def test_a_function_a_keras_builder_and_a_command_each_complete_a_search(workers, process_env):
    workers.env["GAWEB_OBJECTIVES_FILE"] = str(EXAMPLES / "objectives.toml")
    workers.start(1)
    # The worker says what it has when it starts: only then may a spec name it.
    offered = ObjectiveOffer.objects.filter(name__in=["digits_mlp", "small_resnet", "logistic_command"])
    assert wait_until(lambda: offered.count() == 3, timeout=120), workers.logs()
    assert dict(offered.values_list("name", "kind")) == {
        "digits_mlp": "function", "small_resnet": "keras", "logistic_command": "command",
    }  # fmt: skip

    for name in ("digits_mlp", "logistic_command", "small_resnet"):
        queued = run_command(process_env, "runsearch", str(EXAMPLES / f"{name}.json"), timeout=60)
        assert queued.returncode == 0, queued.stderr
    ended = Search.objects.exclude(status__in=[Search.Status.PENDING, Search.Status.RUNNING])
    assert wait_until(lambda: ended.count() == 3, timeout=600), workers.logs()

    for search in Search.objects.all():
        assert search.status == Search.Status.COMPLETED, (search.objective, search.error)
        assert not search.entities.filter(status=Entity.Status.FAILED).exists(), search.objective
    mlp, command, resnet = (Search.objects.get(objective=n) for n in ("digits_mlp", "logistic_command", "small_resnet"))
    assert mlp.best_fitness > 0.9 and command.best_fitness > 0.6 and resnet.best_fitness > 0.3
    for search, epochs in ((mlp, 12), (command, 6)):
        stopped = search.entities.filter(status=Entity.Status.STOPPED)
        assert stopped.exists(), search.objective
        assert all(len(e.history) < epochs for e in stopped)
        done = search.entities.filter(status=Entity.Status.DONE).first()
        assert [row["epoch"] for row in done.history] == list(range(1, epochs + 1))
