"""``trainfinal --inline`` trains in its own process: without the search's objective registered
there it says so and queues nothing (a queued final training no machine takes would wait for
ever); with it, it trains, saves the function's model, and says where to download it."""

from __future__ import annotations

import json

from searches.models import Entity, Search, UnableHost
from tests.processes import ROOT, run_command

EXAMPLES = ROOT / "examples" / "objectives"
REGISTERED = "digits_mlp=examples.objectives.digits_mlp:train"


def test_without_the_objective_it_refuses_and_with_it_it_trains(process_env, tmp_path):
    spec = json.loads((EXAMPLES / "digits_mlp.json").read_text())
    spec["ga"] |= {"population": 4, "generations": 1, "elite_previous": 2, "elite_all_time": 2}
    spec["final"] = {"top_k": 1}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    with_objective = {**process_env, "GAWEB_OBJECTIVES": REGISTERED}
    searched = run_command(with_objective, "runsearch", str(tmp_path / "spec.json"), "--inline", timeout=120)
    assert searched.returncode == 0, searched.stderr
    search = Search.objects.get()

    refused = run_command(process_env, "trainfinal", str(search.pk), "--inline", timeout=120)
    assert refused.returncode == 1
    assert "the objective 'digits_mlp' is not installed on this machine" in refused.stderr
    assert "register it for this command too" in refused.stderr
    assert not Entity.objects.filter(origin=Entity.Origin.FINAL).exists() and not UnableHost.objects.exists()

    trained = run_command(with_objective, "trainfinal", str(search.pk), "--inline", timeout=120)
    assert trained.returncode == 0, trained.stderr
    assert "test accuracy 0.9" in trained.stdout and f"/searches/{search.pk}/best-model" in trained.stdout
    assert Entity.objects.get(origin=Entity.Origin.FINAL).final_model.filename == "digits_mlp.joblib"
