"""A final training's epochs, when the spec leaves them out: the epochs a candidate trained on all
the images (the search's own, less its image rungs where successive halving's images grow)."""

from __future__ import annotations

from searches.spec.presets import preset
from searches.spec.search import SearchSpec


def settings(training: dict, final: dict | None = None) -> SearchSpec:
    return SearchSpec.from_stored(preset("synthetic") | {"training": training, "final": final or {}})


def test_they_are_the_search_s_epochs_where_every_epoch_trains_on_every_image():
    halving = {"rule": "successive_halving"}
    assert settings({"epochs": 5, "early_stopping": halving}).final_epochs == 5
    assert settings({"epochs": 5}).final_epochs == 5


def test_they_leave_out_the_epochs_on_a_share_of_the_images():
    both = {"rule": "successive_halving", "resource": "both", "image_rungs": 2}
    assert settings({"epochs": 5, "early_stopping": both}).final_epochs == 3


def test_the_final_section_s_own_epochs_win():
    both = {"rule": "successive_halving", "resource": "both", "image_rungs": 2}
    assert settings({"epochs": 5, "early_stopping": both}, {"epochs": 7}).final_epochs == 7
