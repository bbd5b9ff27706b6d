"""Successive halving's ``images`` and ``both`` resources: which share of the images each epoch
trains on, where the rungs are, and the settings refused with the field named."""

from __future__ import annotations

import pytest

from searches.genetics import SpecError, StoppingRule


def rule(epochs: int, **spec) -> StoppingRule:
    return StoppingRule.from_spec({"rule": "successive_halving", **spec}, epochs=epochs)


def test_the_images_resource_trains_a_ninth_then_a_third_then_all_and_decides_at_the_first_two():
    images = rule(4, resource="images")
    assert [images.share(epoch) for epoch in range(1, 5)] == pytest.approx([1 / 9, 1 / 3, 1, 1])
    assert [epoch for epoch in range(1, 5) if images.is_rung(epoch)] == [1, 2]
    assert images.rungs(4) == [1, 2]


def test_the_reduction_and_the_image_rungs_set_the_shares():
    assert [rule(3, resource="images", reduction=2, image_rungs=1).share(epoch) for epoch in (1, 2, 3)] == [0.5, 1, 1]
    assert rule(5, resource="images", reduction=4, image_rungs=3).share(1) == pytest.approx(1 / 64)


def test_both_adds_the_epoch_rungs_counted_from_the_first_epoch_on_every_image():
    both = rule(12, resource="both", image_rungs=2, min_epochs=1, reduction=3)
    assert [epoch for epoch in range(1, 13) if both.is_rung(epoch)] == [1, 2, 3, 5, 11]
    assert both.rungs(12, most=12) == [1, 2, 3, 5, 11]
    assert [both.share(epoch) for epoch in (1, 2, 3)] == pytest.approx([1 / 9, 1 / 3, 1])


def test_a_decision_at_an_image_rung_keeps_the_best_third_as_at_an_epoch_rung():
    images = rule(3, resource="images")
    assert images.goes_on(epoch=1, value=0.5, others=[0.1, 0.2, 0.6, 0.7, 0.8]) is False
    assert images.goes_on(epoch=2, value=0.75, others=[0.1, 0.2, 0.6, 0.7, 0.8]) is True
    assert images.goes_on(epoch=3, value=0.01, others=[0.9, 0.9]) is True  # the last epoch is no rung


def test_the_epochs_resource_is_stored_as_before_there_were_others():
    assert rule(3).to_spec() == {"rule": "successive_halving", "min_epochs": 1, "reduction": 3}
    assert [rule(3).share(epoch) for epoch in (1, 2, 3)] == [1, 1, 1]


def test_each_resource_reads_back_as_it_was_written():
    for spec in ({"resource": "images", "image_rungs": 1}, {"resource": "both", "min_epochs": 2, "image_rungs": 2}):
        written = rule(6, **spec)
        assert StoppingRule.from_spec(written.to_spec(), epochs=6) == written


@pytest.mark.parametrize(
    ("spec", "epochs", "field", "message"),
    [
        ({"resource": "pixels"}, 3, "resource", "choose one of: epochs, images, both"),
        ({"rule": "median", "resource": "images"}, 3, "resource", "successive_halving only"),
        ({"image_rungs": 1}, 3, "image_rungs", 'resources "images" and "both" only'),
        ({"resource": "images", "image_rungs": 0}, 3, "image_rungs", "from 1 to 4"),
        ({"resource": "images", "image_rungs": True}, 3, "image_rungs", "from 1 to 4"),
        ({"resource": "images", "image_rungs": 3}, 3, "image_rungs", "below training.epochs (3)"),
        ({"resource": "images", "min_epochs": 1}, 3, "min_epochs", "its rungs are its image_rungs"),
        ({"resource": "both", "image_rungs": 2, "min_epochs": 2}, 4, "min_epochs", "can be at most 1"),
        ({"resource": "both", "image_rungs": 2}, 3, "min_epochs", "at least 4"),
        ({"resource": "images", "reduction": 100, "image_rungs": 2}, 9, "image_rungs", "1/10000 of the images"),
    ],
)
def test_bad_settings_are_refused_at_their_field(spec, epochs, field, message):
    with pytest.raises(SpecError) as refused:
        StoppingRule.from_spec({"rule": "successive_halving", **spec}, epochs=epochs)
    assert any(message in text for text in refused.value.errors[field])


def test_what_a_candidate_costs_is_counted_in_passes_over_the_images():
    both = rule(5, resource="both")  # a ninth, a third, then 3 epochs on every image
    assert [both.passes(epochs) for epochs in range(6)] == pytest.approx([0, 1 / 9, 4 / 9, 13 / 9, 22 / 9, 31 / 9])
    assert rule(3).passes(3) == 3
    # 9 reached the first rung, 3 the second, 2 the third and 1 the end: 6 stopped at the first, 1 at
    # the second, 1 at the third, and 1 trained to the end.
    assert both.paid([1, 2, 3, 5], [9, 3, 2, 1]) == pytest.approx((6 * 1 + 1 * 4 + 1 * 13 + 1 * 31) / 9)


def test_a_model_is_given_the_highest_rungs_where_there_are_more_than_it_takes():
    # 2 image rungs, then epoch rungs at 3, 5 and 11: a model reading 4 rungs learns from the highest.
    assert rule(12, resource="both", image_rungs=2).rungs(12, most=4) == [2, 3, 5, 11]
    assert StoppingRule(rule="median", min_epochs=1).rungs(100, most=4) == [3, 9, 27, 81]


def test_every_resource_and_promotion_reads_back_as_it_was_written():
    for resource in ("epochs", "images", "both"):
        for promotion in ("asynchronous", "bracket"):
            written = rule(6, resource=resource, promotion=promotion)
            assert StoppingRule.from_spec(written.to_spec(), epochs=6) == written
