"""The dashboard's "Train the best on all data": who may press it, and what it gives back."""

from __future__ import annotations

import json

import keras
import pytest
from django.urls import reverse

from searches import exports, services
from searches.exports import documents
from searches.models import Entity, FinalModel, Search
from workers.inline import run_final_inline, run_inline

SPEC = {
    "name": "tiny keras", "dataset": "digits", "objective": "keras", "seed": 6,
    "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
    "training": {"epochs": 1, "max_train_samples": 200},
    "final": {"top_k": 1, "epochs": 1, "max_train_samples": 200, "include_baseline": False},
    "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 16, "step": 2}],
}  # fmt: skip


@pytest.fixture
def keras_search(owner):
    return run_inline(services.search_create(spec=SPEC, owner=owner, execution=Search.Execution.INLINE).pk)


@pytest.mark.django_db
def test_only_the_owner_or_staff_may_start_it(client, other, staff, keras_search):
    url = reverse("searches:train_final", args=[keras_search.pk])
    assert client.post(url).status_code == 302 and "/accounts/login/" in client.post(url)["Location"]
    client.force_login(other)
    assert client.post(url).status_code == 403
    assert not Entity.objects.filter(origin=Entity.Origin.FINAL).exists()
    client.force_login(staff)
    assert client.post(url).status_code == 302
    assert Entity.objects.filter(search=keras_search, origin=Entity.Origin.FINAL, status="queued").count() == 1
    keras_search.refresh_from_db()
    assert keras_search.execution == Search.Execution.WORKERS  # ran inline; its final jobs go to the workers


@pytest.mark.django_db
def test_the_trained_model_and_its_test_accuracy_come_back_as_downloads(owner_client, client, keras_search, tmp_path):

    best_keras = reverse("searches:best_keras", args=[keras_search.pk])
    assert owner_client.get(best_keras).status_code == 404  # nothing trained at last yet
    (final,) = run_final_inline(keras_search.pk)
    response = owner_client.get(best_keras)
    assert response["Content-Disposition"].endswith('best.keras"')
    path = tmp_path / "best.keras"
    assert response.streaming and int(response["Content-Length"]) == FinalModel.objects.get(entity=final).size
    path.write_bytes(b"".join(response.streaming_content))
    assert keras.saving.load_model(path).output_shape == (None, 10)
    document = owner_client.get(reverse("searches:best_json", args=[keras_search.pk])).json()
    assert document["class_names"] == [str(d) for d in range(10)]
    assert document["final"]["best"]["test_accuracy"] == final.test_accuracy and document["final"]["tutorial"] is None
    state = owner_client.get(f"/api/searches/{keras_search.pk}/").json()
    assert state["final"][0]["test_accuracy"] == final.test_accuracy and state["final"][0]["rank"] == 1
    export = owner_client.get(reverse("searches:export_json", args=[keras_search.pk]))
    exported = json.loads(b"".join(export.streaming_content))
    assert exported["final"][0]["id"] == final.pk
    client.logout()
    assert client.get(best_keras).status_code == 302  # anonymous: to sign in first


@pytest.mark.django_db
def test_a_stored_model_is_read_in_chunks_that_join_into_its_bytes(keras_search, monkeypatch):
    (final,) = run_final_inline(keras_search.pk)
    stored = FinalModel.objects.get(entity=final)
    monkeypatch.setattr(documents, "MODEL_CHUNK", 1000)
    chunks = list(exports.model_chunks(exports.best_model(keras_search)))
    assert len(chunks) == -(-stored.size // 1000) and all(len(c) == 1000 for c in chunks[:-1])
    assert b"".join(chunks) == bytes(stored.data)
