from __future__ import annotations

import copy
import os

import pytest

from searches.genetics import SpecError
from searches.spec.search import parse_spec


def _errors(spec, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(SpecError) as caught:
        parse_spec(spec, **kwargs)
    return caught.value.errors


def _with(spec, path, value):
    spec = copy.deepcopy(spec)
    *parents, last = path.split(".")
    target = spec
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value
    return spec


def test_a_valid_spec_comes_back_in_its_normal_form(small_spec):
    parsed = parse_spec(small_spec)
    normal = parsed.to_dict()
    assert normal["ga"]["mutation_rate"] == 0.05
    assert normal["fitness"] == {"size_penalty": 0.0}
    assert normal["training"]["epochs"] == 1
    assert parse_spec(normal).to_dict() == normal


def test_a_spec_without_a_seed_gets_one_that_is_stored(small_spec):
    del small_spec["seed"]
    assert isinstance(parse_spec(small_spec).to_dict()["seed"], int)


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("name", "", "name", "non-empty"),
        ("name", "x" * 10_000, "name", "at most 200"),
        ("objective", "xgboost", "objective", "unknown objective"),
        ("dataset", "imagenet", "dataset", "unknown dataset"),
        ("dataset", 3, "dataset", "must be a string"),
        ("seed", -1, "seed", "between 0"),
        ("seed", "7", "seed", "integer"),
        ("ga.population", 1, "ga.population", "between 2"),
        ("ga.mutation_rate", 2, "ga.mutation_rate", "between 0 and 1"),
        ("fitness.size_penalty", -1, "fitness.size_penalty", "between 0 and 1000"),
        ("training.epochs", 0, "training.epochs", "between 1 and 1000"),
        ("training.max_train_samples", 5, "training.max_train_samples", "at least 10"),
        ("training.validation_fraction", 1.0, "training.validation_fraction", "at most 0.9"),
        ("training.synthetic_delay", -1, "training.synthetic_delay", "between 0 and 3600"),
        ("training.batch", 3, "training.batch", "unknown setting"),
        ("traits", [], "traits", "at least one trait"),
        ("traits", "conv", "traits", "list of traits"),
    ],
)
def test_it_rejects_a_bad_field_with_a_message_on_that_field(small_spec, path, value, field, message):
    errors = _errors(_with(small_spec, path, value))
    assert any(message in text for text in errors[field]), errors


def test_it_rejects_an_unknown_top_level_key(small_spec):
    small_spec["generations"] = 3
    assert "unknown key" in _errors(small_spec)["generations"][0]


def test_it_requires_a_name_and_traits():
    errors = _errors({})
    assert set(errors) == {"name", "traits"}


def test_it_rejects_what_is_not_an_object():
    assert _errors([1, 2]) == {"": ["a search spec must be a JSON object"]}


def test_it_names_the_trait_field_inside_the_list(small_spec):
    small_spec["traits"][1]["high"] = -5
    assert "traits[1].high" in _errors(small_spec)


def test_it_accepts_a_folder_under_a_data_root(small_spec, tmp_path):
    (tmp_path / "photos").mkdir()
    spec = _with(small_spec, "dataset", f"folder:{tmp_path / 'photos'}")
    assert parse_spec(spec, data_roots=[tmp_path]).dataset == f"folder:{(tmp_path / 'photos').resolve()}"


@pytest.mark.parametrize("escape", ["outside", "root/../outside", "link"])
def test_it_refuses_a_folder_outside_the_data_roots(small_spec, tmp_path, escape):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "link")
    target = root / "link" if escape == "link" else tmp_path / escape
    errors = _errors(_with(small_spec, "dataset", f"folder:{target}"), data_roots=[root])
    assert "outside the allowed data roots" in errors["dataset"][0]


def test_it_refuses_a_keras_trait_the_builder_does_not_know(small_spec):
    small_spec["objective"] = "keras"
    small_spec["traits"] = [{"name": "magic", "type": "bool"}]
    message = _errors(small_spec)["traits[0].name"][0]
    assert "does not know 'magic'" in message and "learning_rate" in message


def test_it_refuses_a_keras_trait_value_the_builder_cannot_build(small_spec):
    small_spec["objective"] = "keras"
    small_spec["traits"] = [{"name": "optimizer", "type": "choice", "choices": ["sgd", "lion"]}]
    assert "one of" in _errors(small_spec)["traits[0]"][0]
