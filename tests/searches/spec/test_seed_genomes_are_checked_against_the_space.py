"""``ga.seed_genomes`` in a spec: checked against the space, each error at its field; ``"tutorial"``
is the tutorial network's values."""

from __future__ import annotations

import copy

import pytest

from searches.genetics import SpecError
from searches.spec.catalog import TUTORIAL_GENOME
from searches.spec.presets import preset
from searches.spec.search import parse_spec


def _cifar(seeds):
    spec = copy.deepcopy(preset("cifar10-tutorial"))
    spec["ga"]["seed_genomes"] = seeds
    return spec


def _errors(spec) -> dict[str, list[str]]:
    with pytest.raises(SpecError) as raised:
        parse_spec(spec)
    return raised.value.errors


def test_tutorial_is_the_tutorial_network_s_values_of_the_space_s_traits():
    spec = parse_spec(_cifar(["tutorial", {"learning_rate": 0.01}]))
    tutorial, partial = spec.ga.seed_genomes
    assert tutorial == {name: TUTORIAL_GENOME[name] for name in spec.space.names}
    assert partial == {"learning_rate": 0.01}
    assert parse_spec(spec.to_dict()).to_dict() == spec.to_dict()  # the normal form reads back the same


def test_an_unknown_trait_and_an_out_of_range_value_are_named_at_their_field():
    errors = _errors(_cifar([{"nope": 1}, {"learning_rate": 7, "batch_size": 64}]))
    assert "not a trait of this space" in errors["ga.seed_genomes[0].nope"][0]
    assert "not a value of this trait" in errors["ga.seed_genomes[1].learning_rate"][0]
    assert "ga.seed_genomes[1].batch_size" not in errors


def test_more_seeds_than_the_population_and_a_genome_given_twice_are_refused():
    assert "at most the population" in _errors(_cifar([{}] * 21))["ga.seed_genomes"][0]
    assert "given twice" in _errors(_cifar(["tutorial", "tutorial"]))["ga.seed_genomes"][0]


def test_tutorial_needs_the_keras_objective():
    spec = copy.deepcopy(preset("synthetic"))
    spec["ga"]["seed_genomes"] = ["tutorial"]
    assert "needs the keras objective" in _errors(spec)["ga.seed_genomes[0]"][0]


def test_a_seed_list_that_is_not_a_list_is_refused():
    assert "must be a list" in _errors(_cifar("tutorial"))["ga.seed_genomes"][0]
