"""Final training: the best trained at last on every training image and measured once on the test split."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from searches import services
from searches.live import state as live_state
from searches.models import Entity, FinalModel, Search
from workers.inline import run_final_inline, run_inline
from workers.objectives import get_objective
from workers.training.loaders import load_digits


def _keras_spec(**final) -> dict:
    return {
        "name": "tiny keras", "dataset": "digits", "objective": "keras", "seed": 5,
        "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
        "training": {"epochs": 1, "max_train_samples": 200},
        "final": {"top_k": 1, "epochs": 1, "max_train_samples": 300, **final},
        "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 32, "step": 2},
                   {"name": "optimizer", "type": "choice", "choices": ["adam"]},
                   {"name": "learning_rate", "type": "geometric_float", "low": 0.001, "high": 0.01, "step": 10}],
    }  # fmt: skip


@pytest.fixture
def finished(db):
    return run_inline(services.search_create(spec=_keras_spec(top_k=2), execution=Search.Execution.INLINE).pk)


@pytest.mark.django_db
def test_the_stored_test_accuracy_is_what_the_saved_model_scores_on_the_test_split(finished, tmp_path):
    finals = run_final_inline(finished.pk)
    assert [e.status for e in finals] == ["done", "done", "done"]  # the best two, then the tutorial's network
    assert finals[-1].replicate_of_id is None and all(e.replicate_of_id for e in finals[:2])
    test = load_digits().test
    for entity in finals:
        path = tmp_path / f"{entity.pk}.keras"
        path.write_bytes(bytes(FinalModel.objects.get(entity=entity).data))
        model = keras.saving.load_model(path)
        loss, accuracy = model.evaluate(test.pixels(np.arange(len(test))).astype("float32"), test.labels, verbose=0)
        assert accuracy == pytest.approx(entity.test_accuracy, abs=1e-6)
        assert loss == pytest.approx(entity.test_loss, abs=1e-6)
    assert Search.objects.get(pk=finished.pk).status == Search.Status.COMPLETED  # it stays what it was


@pytest.mark.django_db
def test_no_test_image_reaches_a_search_and_the_final_training_measures_on_them_only_once(monkeypatch, db):
    get_objective.cache_clear()
    asked: list[str] = []
    real_load = load_digits

    def spied():
        dataset = real_load()
        real_pixels = dataset.test.pixels
        monkeypatch.setattr(dataset.test, "pixels", lambda indices: asked.append("test") or real_pixels(indices))
        return dataset

    monkeypatch.setattr("workers.training.datasets.load_digits", spied)
    search = run_inline(services.search_create(spec=_keras_spec(), execution=Search.Execution.INLINE).pk)
    assert asked == []  # the whole search: training, validation and fitness, and no test image
    run_final_inline(search.pk)
    assert asked == ["test"] * 2  # the best, and the tutorial's network: one measure each
    get_objective.cache_clear()


@pytest.mark.django_db
def test_a_search_that_cannot_have_a_final_training_says_why(finished, small_spec):
    before = live_state.state_version(finished)
    services.search_train_final(search_id=finished.pk)  # queued: in training, as far as anyone can tell
    assert live_state.state_version(finished) != before  # the dashboard shows them queued at once
    with pytest.raises(services.InvalidTransition, match="already trained"):
        services.search_train_final(search_id=finished.pk)
    synthetic = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    with pytest.raises(services.InvalidTransition, match="cannot be trained at last: it is neither keras"):
        services.search_train_final(search_id=synthetic.pk)
    running = services.search_create(spec=_keras_spec(), execution=Search.Execution.INLINE)
    with pytest.raises(services.InvalidTransition, match="only a completed search"):
        services.search_train_final(search_id=running.pk)


@pytest.mark.django_db
def test_a_dataset_without_a_test_split_fails_the_final_training_with_the_reason(tmp_path, settings):
    from PIL import Image

    for label, name in enumerate(("ant", "bee")):
        (tmp_path / name).mkdir()
        for index in range(6):
            Image.new("RGB", (8, 8), (100 * label, 30 * index, 0)).save(tmp_path / name / f"{index}.png")
    settings.GAWEB_DATA_ROOTS = [tmp_path]
    get_objective.cache_clear()
    spec = {**_keras_spec(), "dataset": f"folder:{tmp_path}", "training": {"epochs": 1, "image_size": 8}}
    search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)
    finals = run_final_inline(search.pk)
    assert {e.status for e in finals} == {Entity.Status.FAILED}  # the best, and the tutorial's network
    assert "no test split" in finals[0].error and "train/<class>/ and test/<class>/" in finals[0].error
    assert Search.objects.get(pk=search.pk).status == Search.Status.COMPLETED
    # Pressed again (say, once test/ is there): the failed try is replaced, not listed beside the new one.
    again = services.search_train_final(search_id=search.pk, on_workers=False)
    finals_now = Entity.objects.filter(search=search, origin=Entity.Origin.FINAL).values_list("pk", flat=True)
    assert sorted(finals_now) == sorted(again)
    get_objective.cache_clear()
