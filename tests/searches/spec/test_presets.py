from __future__ import annotations

import json
from pathlib import Path

import pytest

from searches.spec.presets import PRESETS
from searches.spec.search import parse_spec

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_is_shipped_as_the_same_example_file(name):
    assert json.loads((EXAMPLES / f"{name}.json").read_text()) == PRESETS[name]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_is_a_valid_spec_in_its_normal_form(name):
    spec = parse_spec(PRESETS[name])
    assert spec.name == PRESETS[name]["name"] and spec.space.to_spec() == PRESETS[name]["traits"]
    assert parse_spec(spec.to_dict()).to_dict() == spec.to_dict()


def test_the_cifar10_tutorial_preset_has_the_reference_combination_count():
    assert parse_spec(PRESETS["cifar10-tutorial"]).space.combinations == 138_240
