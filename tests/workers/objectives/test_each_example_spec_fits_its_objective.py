"""Each example objective's spec is valid for the traits that example declares, as a user who
uploads it next to the example's registration would find."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from gaweb.objectives_file import read_objectives_file
from searches.spec.search import BUILT_IN_OBJECTIVES, parse_spec
from tests.processes import ROOT
from workers.objectives import registry

EXAMPLES = ROOT / "examples" / "objectives"
CODE, COMMANDS = read_objectives_file(str(EXAMPLES / "objectives.toml"))


@pytest.mark.parametrize("name", sorted([*CODE, *COMMANDS]))
def test_the_example_spec_is_valid_for_the_example_s_declared_traits(name):
    with override_settings(GAWEB_OBJECTIVES=CODE, GAWEB_OBJECTIVE_COMMANDS=COMMANDS):
        offers = {offer.name: offer for offer in registry.offers()}
    assert offers[name].traits, f"{name} declares its traits"
    spec = parse_spec(
        json.loads((EXAMPLES / f"{name}.json").read_text()),
        objectives={**BUILT_IN_OBJECTIVES, name: offers[name].traits},
    )
    assert spec.objective == name
