"""A spec chooses among the objectives that machines' workers said they have: any other name, or
a trait that a declaring objective does not understand, is refused with nothing stored."""

from __future__ import annotations

import pytest

from searches import services
from searches.genetics import SpecError
from searches.models import ObjectiveOffer, Search
from searches.reads.objectives import objectives_known

pytestmark = pytest.mark.django_db

MLP = {"name": "mlp", "description": "a scikit-learn MLP", "kind": "function", "traits": ["flag", "width"]}


def only_traits(spec, *names):
    return {**spec, "traits": [t for t in spec["traits"] if t["name"] in names]}


def test_a_name_no_machine_has_is_refused_naming_those_that_exist(small_spec):
    services.objectives_offer(host="gpu-box", offers=[MLP])
    with pytest.raises(SpecError) as refused:
        services.search_create(spec={**small_spec, "objective": "resnet"})
    message = "unknown objective 'resnet': no machine has it registered; choose one of: synthetic, keras, mlp"
    assert message in str(refused.value) and "GAWEB_OBJECTIVES_FILE" in str(refused.value)
    assert not Search.objects.exists()


def test_an_offered_objective_can_be_named_with_the_traits_it_declares(small_spec):
    services.objectives_offer(host="gpu-box", offers=[MLP])
    search = services.search_create(spec=only_traits({**small_spec, "objective": "mlp"}, "flag", "width"))
    assert search.objective == "mlp"


def test_a_trait_the_objective_does_not_declare_is_refused_at_that_trait(small_spec):
    services.objectives_offer(host="gpu-box", offers=[MLP])
    with pytest.raises(SpecError) as refused:
        services.search_create(spec=only_traits({**small_spec, "objective": "mlp"}, "flag", "dropout"))
    assert refused.value.errors == {
        "traits[1].name": ["the mlp objective does not know 'dropout'; its traits: flag, width"]
    }
    assert not Search.objects.exists()


def test_a_machine_that_starts_again_without_an_objective_no_longer_offers_it():
    services.objectives_offer(host="a", offers=[MLP])
    services.objectives_offer(host="b", offers=[MLP])
    services.objectives_offer(host="a", offers=[])
    assert objectives_known()["mlp"].hosts == ("b",)
    services.objectives_offer(host="b", offers=[])
    assert "mlp" not in objectives_known() and not ObjectiveOffer.objects.exists()


def test_two_machines_with_different_versions_allow_only_the_traits_both_understand():
    services.objectives_offer(host="a", offers=[MLP])
    services.objectives_offer(host="b", offers=[{**MLP, "traits": ["width", "depth"]}])
    known = objectives_known()["mlp"]
    assert known.traits == ("width",) and known.hosts == ("a", "b")


def test_the_search_keeps_what_its_fitness_is_and_best_json_says_it(small_spec):
    loss = {**MLP, "metric": "val_loss", "direction": "minimize"}
    services.objectives_offer(host="gpu-box", offers=[loss])
    search = services.search_create(spec=only_traits({**small_spec, "objective": "mlp"}, "flag", "width"))
    assert (search.metric, search.direction) == ("val_loss", "minimize")
    assert search.fitness_meaning().startswith("-val_loss: the objective's val_loss, minimised")
    keras_search = services.search_create(spec=small_spec)
    assert (keras_search.metric, keras_search.direction) == ("val_accuracy", "maximize")
