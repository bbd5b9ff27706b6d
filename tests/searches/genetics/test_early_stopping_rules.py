"""The early-stopping rules' decisions on a fixed table of learning curves."""

from __future__ import annotations

import pytest

from searches.genetics import SpecError, StoppingRule

MEDIAN = StoppingRule(rule="median", min_epochs=2, warmup=3)
WARM = StoppingRule(rule="median", min_epochs=1)  # the default warm-up: 5 others at the epoch
HALVING = StoppingRule(rule="successive_halving", min_epochs=1, reduction=3)

# (rule, epoch, the candidate's value, the others' values at that epoch, goes on?)
DECISIONS = [
    (MEDIAN, 1, 0.10, [0.5, 0.6, 0.7], True),  # before min_epochs: always on
    (MEDIAN, 2, 0.40, [0.5, 0.6, 0.7], False),  # below the median (0.6)
    (MEDIAN, 2, 0.60, [0.5, 0.6, 0.7], True),  # at the median
    (MEDIAN, 3, 0.90, [0.5, 0.6, 0.7, 0.8], True),
    (MEDIAN, 2, 0.01, [], True),  # the first to get there has nobody to compare to
    (MEDIAN, 2, 0.01, [0.5, 0.6], True),  # two others are fewer than the warm-up of 3
    (WARM, 1, 0.10, [0.9], True),  # the second candidate is not stopped for being below the first
    (WARM, 1, 0.10, [0.5, 0.6, 0.7, 0.8], True),
    (WARM, 1, 0.10, [0.5, 0.6, 0.7, 0.8, 0.9], False),  # five others: the median decides
    (HALVING, 1, 0.20, [], True),  # first at rung 1 goes on
    (HALVING, 1, 0.20, [0.3], False),  # 2 reached rung 1: only the best ceil(2/3) = 1 goes on
    (HALVING, 1, 0.40, [0.3], True),
    (HALVING, 1, 0.50, [0.1, 0.2, 0.6, 0.7, 0.8], False),  # 6 reached: the best 2 go on; 3 are better
    (HALVING, 1, 0.75, [0.1, 0.2, 0.6, 0.7, 0.8], True),  # second best
    (HALVING, 2, 0.01, [0.9, 0.9], True),  # epoch 2 is not a rung (1, 3, 9, ...)
    (HALVING, 3, 0.55, [0.5, 0.6, 0.7], False),  # rung 3: 4 reached, the best 2 go on
    (HALVING, 3, 0.65, [0.5, 0.6, 0.7], True),
]


@pytest.mark.parametrize(("rule", "epoch", "value", "others", "goes_on"), DECISIONS)
def test_each_rule_decides_as_the_table_says(rule, epoch, value, others, goes_on):
    assert rule.goes_on(epoch=epoch, value=value, others=others) is goes_on


def test_successive_halving_has_its_rungs_at_r_times_powers_of_eta():
    rule = StoppingRule(rule="successive_halving", min_epochs=2, reduction=3)
    assert [epoch for epoch in range(1, 60) if rule.is_rung(epoch)] == [2, 6, 18, 54]


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        ({"rule": "hyperband"}, "rule", "choose one of"),
        ({"rule": "median", "min_epochs": 10}, "min_epochs", "from 1 to 9"),
        ({"rule": "median", "min_epochs": 0}, "min_epochs", "from 1 to 9"),
        ({"rule": "successive_halving", "reduction": 1}, "reduction", "from 2 to 100"),
        ({"rule": "median", "reduction": 3}, "reduction", "successive_halving only"),
        ({"rule": "median", "patience": 3}, "patience", "unknown setting"),
        ({"rule": "median", "warmup": -1}, "warmup", "from 0 to 1000"),
        ({"rule": "successive_halving", "warmup": 2}, "warmup", "median only"),
        ("median", "", "must be an object"),
    ],
)
def test_bad_settings_are_refused_with_a_message_on_the_field(spec, field, message):
    with pytest.raises(SpecError) as refused:
        StoppingRule.from_spec(spec, epochs=10)
    assert any(message in text for text in refused.value.errors[field])


def test_the_median_rule_s_normal_form_names_its_warm_up_and_successive_halving_s_does_not():
    assert StoppingRule.from_spec({"rule": "median"}, epochs=3).to_spec() == {"rule": "median", "min_epochs": 1,
                                                                              "warmup": 5}  # fmt: skip
    assert "warmup" not in StoppingRule.from_spec({"rule": "successive_halving"}, epochs=3).to_spec()
