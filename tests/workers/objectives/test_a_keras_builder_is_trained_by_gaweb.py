"""A user's Keras builder, registered on the machine, is trained by gaweb's own trainer on gaweb's
datasets: a search, its final training (without the tutorial's network, which is not theirs) and
a best.keras that takes pixels as the dataset stores them."""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict

import keras
import numpy as np
import pytest

from searches import services
from searches.models import Entity, FinalModel, Search
from searches.spec.training import training_from_spec
from tests.processes import ROOT
from workers.inline import run_final_inline, run_inline
from workers.objectives import CandidateFailed, EvaluationRequest, registry
from workers.process_setup import announce_objectives
from workers.training.loaders import load_digits

EXAMPLE = ROOT / "examples" / "objectives" / "small_resnet.json"


@pytest.fixture
def registered(settings):
    settings.GAWEB_OBJECTIVES = {"small_resnet": "examples.objectives.small_resnet:build"}
    registry.get_objective.cache_clear()
    yield
    registry.get_objective.cache_clear()


@pytest.mark.django_db
def test_the_example_builder_completes_a_search_and_its_final_training(registered, tmp_path):
    announce_objectives(host="here")
    spec = json.loads(EXAMPLE.read_text())
    search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)
    assert search.status == Search.Status.COMPLETED
    trained = Entity.objects.filter(search=search, status=Entity.Status.DONE)
    assert trained.count() == 8 and search.best_fitness > 0.3  # 10 classes: chance is 0.1

    finals = run_final_inline(search.pk)
    assert len(finals) == 1 and finals[0].status == Entity.Status.DONE  # top_k 1, and no tutorial network
    path = tmp_path / "best.keras"
    path.write_bytes(bytes(FinalModel.objects.get(entity=finals[0]).data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a user loading it sees no warning
        model = keras.saving.load_model(path)
    assert model.layers[1].name == "gaweb_rescaling"  # it takes the pixels as digits stores them (0-16)
    test = load_digits().test
    _, accuracy = model.evaluate(test.pixels(np.arange(len(test))).astype("float32"), test.labels, verbose=0)
    assert accuracy == pytest.approx(finals[0].test_accuracy, abs=1e-6)


def uncompiled(genome, input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, keras.layers.Dense(num_classes)(keras.layers.Flatten()(inputs)))


def test_a_builder_whose_model_is_not_compiled_fails_the_candidate_saying_so(small_spec):
    objective = registry.adapt(uncompiled)
    training = asdict(training_from_spec({"epochs": 1, "max_train_samples": 100}))
    request = EvaluationRequest(entity_id=1, genome={"x": 1}, spec={**small_spec, "training": training})
    with pytest.raises(CandidateFailed, match="the builder must return a compiled model"):
        objective.evaluate(request)


def test_a_callable_taking_input_shape_and_num_classes_is_a_builder_and_others_are_functions():
    assert registry.is_keras_builder(uncompiled)
    assert not registry.is_keras_builder(lambda genome, report: 0.5)
    assert registry.describe("u", uncompiled).kind == "keras"
