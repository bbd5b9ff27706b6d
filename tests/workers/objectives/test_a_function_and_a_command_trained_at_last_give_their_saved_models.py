"""On a real worker, "Train the best on all data" works for a user's function and training command
that declare ``trains_final``: each is run in its final mode, and the dashboard's best model is
the file it saved, which loads and scores as its final training measured."""

from __future__ import annotations

import json

import joblib
from django.urls import reverse
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from searches.models import Entity, ObjectiveOffer, Search
from tests.processes import ROOT, run_command, wait_until

EXAMPLES = ROOT / "examples" / "objectives"


def small(name: str, tmp_path) -> str:
    """The example's spec, cut to a few candidates, keeping one confirmed by a second training."""
    spec = json.loads((EXAMPLES / f"{name}.json").read_text())
    spec["ga"] |= {"population": 4, "generations": 2, "elite_previous": 2, "elite_all_time": 2}
    spec["final"] = {"top_k": 1}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(spec))
    return str(path)


def test_the_function_s_and_the_command_s_saved_models_are_the_downloads(
    workers, process_env, celery_to_test_redis, admin_client, tmp_path
):
    workers.env["GAWEB_OBJECTIVES_FILE"] = str(EXAMPLES / "objectives.toml")
    workers.start(1)
    offered = ObjectiveOffer.objects.filter(name__in=["digits_mlp", "logistic_command"], trains_final=True)
    assert wait_until(lambda: offered.count() == 2, timeout=120), workers.logs()  # the worker says it has them
    for name in ("digits_mlp", "logistic_command"):
        queued = run_command(process_env, "runsearch", small(name, tmp_path), timeout=60)
        assert queued.returncode == 0, queued.stderr
    ended = Search.objects.exclude(status__in=[Search.Status.PENDING, Search.Status.RUNNING])
    assert wait_until(lambda: ended.count() == 2, timeout=300), workers.logs()
    mlp, command = (Search.objects.get(objective=n) for n in ("digits_mlp", "logistic_command"))
    assert mlp.status == command.status == Search.Status.COMPLETED, (mlp.error, command.error)

    page = admin_client.get(reverse("searches:detail", args=[mlp.pk])).content.decode()
    assert 'id="train-final"' in page and ">best model</a>" in page and "best.keras" not in page
    for search in (mlp, command):
        response = admin_client.post(reverse("searches:train_final", args=[search.pk]))
        assert response.status_code == 302
    finals = Entity.objects.filter(origin=Entity.Origin.FINAL)
    assert finals.count() == 2  # top_k 1 each; no tutorial network: that is gaweb's own objective's
    assert wait_until(lambda: not finals.exclude(status__in=["done", "failed"]).exists(), timeout=120), workers.logs()
    assert list(finals.values_list("status", "error")) == [("done", "")] * 2, workers.logs()

    download = admin_client.get(reverse("searches:best_model", args=[mlp.pk]))
    assert download["Content-Disposition"].endswith(f'gaweb-search-{mlp.pk}-best.joblib"')
    (tmp_path / "best.joblib").write_bytes(b"".join(download.streaming_content))
    pipeline = joblib.load(tmp_path / "best.joblib")
    x, y = load_digits(return_X_y=True)
    _, x_test, _, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    final = finals.get(search=mlp)
    assert abs(pipeline.score(x_test, y_test) - final.test_accuracy) < 1e-9 and final.test_accuracy > 0.85

    download = admin_client.get(reverse("searches:best_model", args=[command.pk]))
    assert download["Content-Disposition"].endswith(f'gaweb-search-{command.pk}-best.json"')
    weights = json.loads(b"".join(download.streaming_content))
    assert set(weights) == {"weights", "bias", "features"}
