from __future__ import annotations

import ast
import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from searches import exports, services
from searches.exports import documents
from searches.exports.best_py import network_script
from searches.exports.documents import inert_cell
from searches.models import Entity, Search
from workers.inline import run_inline
from workers.objectives import get_objective


@pytest.mark.django_db
def test_best_json_is_an_attachment_with_what_reproduces_the_best(owner_client, finished_search):
    response = owner_client.get(reverse("searches:best_json", args=[finished_search.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="gaweb-search-{finished_search.pk}-best.json"'
    best = response.json()
    top = Entity.objects.filter(search=finished_search, status="done").order_by("-fitness").first()
    assert best["entity"] == top.pk and best["genome"] == top.genome and best["fitness"] == top.fitness
    assert best["seed"] == finished_search.seed and best["spec"] == finished_search.spec
    assert set(best["versions"]) == {"gaweb", "tensorflow", "keras"} and best["versions"]["keras"]


@pytest.mark.django_db
def test_best_json_of_a_search_with_nothing_trained_is_404(owner_client, running_search):
    assert owner_client.get(reverse("searches:best_json", args=[running_search.pk])).status_code == 404


@pytest.mark.django_db
def test_entities_csv_has_a_row_per_entity_and_a_column_per_trait(owner_client, finished_search):
    response = owner_client.get(reverse("searches:entities_csv", args=[finished_search.pk]))
    assert response.streaming  # read and sent a few thousand entities at a time
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == Entity.objects.filter(search=finished_search).count()
    assert {"fitness", "parent_a", "learning_rate", "optimizer"} <= set(rows[0])


@pytest.mark.django_db
def test_export_json_holds_every_entity(owner_client, finished_search):
    response = owner_client.get(reverse("searches:export_json", args=[finished_search.pk]))
    assert response.streaming
    export = json.loads(b"".join(response.streaming_content))
    assert len(export["entities"]) == Entity.objects.filter(search=finished_search).count()
    assert export == json.loads(json.dumps(exports.search_export(finished_search), cls=DjangoJSONEncoder))


@pytest.mark.django_db
def test_export_json_streams_its_entities_in_batches_that_join_into_one_document(owner_client, finished_search,
                                                                                monkeypatch):  # fmt: skip
    monkeypatch.setattr(documents, "EXPORT_BATCH", 5)
    pieces = list(exports.search_export_chunks(finished_search))
    assert len(pieces) > 4  # the head, the batches, the final results
    assert len(json.loads("".join(pieces))["entities"]) == Entity.objects.filter(search=finished_search).count()


@pytest.mark.django_db
def test_best_py_trains_the_network_the_entity_had_measures_it_on_the_test_split_and_saves_it(
    owner_client, owner, tmp_path
):
    spec = {
        "name": "tiny keras",
        "dataset": "digits",
        "objective": "keras",
        "seed": 2,
        "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
        "training": {"epochs": 1, "max_train_samples": 100},
        "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 16, "step": 2}],
    }
    search = run_inline(services.search_create(spec=spec, owner=owner, execution=Search.Execution.INLINE).pk)
    best = Entity.objects.filter(search=search, status="done").order_by("-fitness").first()
    response = owner_client.get(reverse("searches:best_py", args=[search.pk]))
    assert response["Content-Disposition"].endswith('best.py"')
    script = tmp_path / "best.py"
    script.write_bytes(response.content)
    ran = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--output", "mine.keras"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "cuInit" not in ran.stderr and "oneDNN" not in ran.stderr  # TensorFlow's start-up lines kept out
    assert f"parameters: {best.parameter_count}" in ran.stdout
    assert "test accuracy" in ran.stdout and "on 359 test images" in ran.stdout  # gaweb's own held-out digits
    import keras

    model = keras.saving.load_model(tmp_path / "mine.keras")
    assert model.predict(np.zeros((2, 8, 8, 1)), verbose=0).shape == (2, 10)  # raw pixels in, one score per class


def test_best_py_holds_out_the_same_digits_as_gaweb():
    from searches.exports.best_py import DIGITS_TEST
    from workers.training import loaders

    assert DIGITS_TEST == {"share": loaders.DIGITS_TEST_SHARE, "seed": loaders.DIGITS_TEST_SEED}


@pytest.mark.django_db
def test_best_py_is_only_for_keras_searches(owner_client, finished_search):
    assert owner_client.get(reverse("searches:best_py", args=[finished_search.pk])).status_code == 404


def test_no_value_in_a_genome_can_become_code():
    hostile = "x')\nimport os; os.system('touch pwned') #\"\"\""
    script = network_script({"optimizer": hostile, "conv1_filters": 8}, (8, 8, 1), 10, {"name": hostile})
    plain = network_script({"optimizer": "sgd", "conv1_filters": 8}, (8, 8, 1), 10, {"name": "plain"})
    tree = ast.parse(script)

    def imports(source: str) -> set[str]:
        nodes = ast.walk(ast.parse(source))
        return {alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names}

    assert imports(script) == imports(plain)  # nothing the genome brought in
    assert not any(isinstance(node, ast.Attribute) and node.attr == "system" for node in ast.walk(tree))
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert any(json.dumps(hostile)[1:-1] in text for text in strings)


def test_a_cell_a_spreadsheet_would_run_is_made_plain_text():
    assert inert_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and inert_cell("sgd") == "sgd" and inert_cell(-1) == -1


@pytest.mark.django_db
def test_the_baseline_is_never_the_best_configuration_of_a_search(owner_client, finished_search):
    reference = Entity.objects.filter(search=finished_search, status="done").first()
    Entity.objects.filter(pk=reference.pk).update(origin="baseline", fitness=2.0)
    assert owner_client.get(reverse("searches:best_json", args=[finished_search.pk])).json()["entity"] != reference.pk
    state = owner_client.get(f"/api/searches/{finished_search.pk}/").json()
    assert state["best"]["id"] != reference.pk and state["progress"]["best_fitness"] < 2.0


@pytest.fixture
def fresh_objectives():
    """Objectives made in this test only: this process's keras objective keeps the data roots it was made with."""
    get_objective.cache_clear()
    yield
    get_objective.cache_clear()


@pytest.mark.django_db
def test_best_py_of_a_folder_dataset_has_its_classes_when_the_folder_is_gone(
    owner_client, owner, tmp_path, settings, fresh_objectives
):
    import shutil

    from PIL import Image

    folder = tmp_path / "three"
    for index, name in enumerate(("ant", "bee", "cat")):
        (folder / name).mkdir(parents=True)
        for copy in range(4):
            Image.new("RGB", (8, 8), (80 * index, 10 * copy, 0)).save(folder / name / f"{copy}.png")
    settings.GAWEB_DATA_ROOTS = [tmp_path]
    spec = {
        "name": "three classes", "dataset": f"folder:{folder}", "objective": "keras", "seed": 3,
        "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
        "training": {"epochs": 1, "image_size": 8},
        "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 4, "high": 8, "step": 2}],
    }  # fmt: skip
    search = run_inline(services.search_create(spec=spec, owner=owner, execution=Search.Execution.INLINE).pk)
    # The web machine need not hold the dataset: what the workers saw was recorded with the search.
    shutil.rmtree(folder)
    script = owner_client.get(reverse("searches:best_py", args=[search.pk])).content.decode()
    assert "NUM_CLASSES = json.loads('3')" in script
    assert '"class_names": ["ant", "bee", "cat"]' in script
