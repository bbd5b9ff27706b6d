"""Which objectives a machine has: gaweb's own, entry points of installed packages, and the
GAWEB_OBJECTIVES setting; a name it does not have is another machine's."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from searches.spec.presets import preset
from workers.objectives import EvaluationRequest, FunctionObjective, HostCannotTrain, registry

EXAMPLE = "examples.objectives.digits_mlp:train"


@pytest.fixture(autouse=True)
def fresh_instances():
    registry.get_objective.cache_clear()
    yield
    registry.get_objective.cache_clear()


@pytest.fixture
def packaged(monkeypatch):
    """An installed package that names an objective in the entry-point group."""
    points = [EntryPoint(name="packaged", value=EXAMPLE, group=registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: points if group == registry.ENTRY_POINT_GROUP else [])


def test_a_machine_has_gaweb_objectives_and_those_of_entry_points_and_the_setting(packaged, settings):
    settings.GAWEB_OBJECTIVES = {"mine": EXAMPLE}
    assert registry.registered() == {
        "synthetic": "workers.objectives.synthetic:SyntheticObjective",
        "keras": "workers.objectives.keras:KerasObjective",
        "packaged": EXAMPLE,
        "mine": EXAMPLE,
    }
    assert isinstance(registry.get_objective("mine"), FunctionObjective)


def test_a_name_that_is_taken_or_malformed_is_ignored(settings, caplog):
    settings.GAWEB_OBJECTIVES = {"keras": EXAMPLE, "Bad Name": EXAMPLE}
    assert set(registry.registered()) == {"synthetic", "keras"}
    assert registry.registered()["keras"] == "workers.objectives.keras:KerasObjective"
    assert "the name is taken" in caplog.text and "lower-case letters" in caplog.text


def test_a_name_this_machine_lacks_hands_the_candidate_to_the_machines_that_have_it(settings):
    settings.GAWEB_OBJECTIVES = {}
    with pytest.raises(
        HostCannotTrain, match="'resnet' is not installed on this machine \\(it has: synthetic, keras\\)"
    ):
        registry.get_objective("resnet")


def test_the_offer_says_what_the_function_declares(settings):
    settings.GAWEB_OBJECTIVES = {"digits_mlp": EXAMPLE}
    offers = {offer.name: offer for offer in registry.offers()}
    assert set(offers) == {"synthetic", "keras", "digits_mlp"}
    mlp = offers["digits_mlp"]
    assert mlp.kind == "function" and mlp.description.startswith("a scikit-learn MLP on the 8x8 digits")
    assert mlp.traits == ("hidden_units", "layers", "activation", "alpha", "learning_rate", "batch_size")
    assert offers["keras"].kind == "built-in" and offers["keras"].traits is None


def test_an_objective_whose_code_does_not_load_is_left_out_of_the_offer_and_logged(settings, caplog):
    settings.GAWEB_OBJECTIVES = {"broken": "no_such_module:train"}
    assert "broken" not in {offer.name for offer in registry.offers()}
    assert "objective 'broken' (no_such_module:train) cannot be loaded on this machine" in caplog.text


def test_what_a_name_points_at_decides_how_it_runs():
    class Counting:
        built = 0

        def __init__(self):
            Counting.built += 1

        def evaluate(self, request): ...

    first, second = registry.adapt(Counting), registry.adapt(Counting())
    assert isinstance(first, Counting) and isinstance(second, Counting) and Counting.built == 2
    with pytest.raises(TypeError, match="no evaluate"):
        registry.adapt(type("Plain", (), {}))
    with pytest.raises(TypeError, match="train\\(genome, report\\) function"):
        registry.adapt(42)


def loss_function(genome, report):
    return {"val_loss": 0.1}


loss_function.metric, loss_function.direction = "val_loss", "minimize"


def sideways(genome, report):
    return 0.0


sideways.direction = "sideways"


def test_the_offer_names_the_metric_and_its_direction_and_leaves_out_a_wrong_direction(settings, caplog):
    here = "tests.workers.objectives.test_objectives_are_registered_on_the_machine"
    settings.GAWEB_OBJECTIVES = {"loss": f"{here}:loss_function", "sideways": f"{here}:sideways"}
    offers = {offer.name: offer for offer in registry.offers()}
    assert (offers["loss"].metric, offers["loss"].direction) == ("val_loss", "minimize")
    assert "sideways" not in offers and "its direction is 'sideways'" in caplog.text
    assert (
        registry.get_objective("loss")
        .evaluate(EvaluationRequest(entity_id=1, genome={}, spec=preset("synthetic") | {"seed": 1}))
        .accuracy
        == -0.1
    )
