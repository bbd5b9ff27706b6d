from __future__ import annotations

import math
import random

from searches.genetics import Space

DRAWS = 20_000
# Three standard deviations of a decade's share at these sample sizes is about 0.01.
TOLERANCE = 0.02


def _shares_per_decade(samples, decades):
    """The share of samples in [1, 10), [10, 100), ...: the samples must start at 1."""
    counts = [0] * decades
    for value in samples:
        counts[min(int(math.log10(value)), decades - 1)] += 1
    return [count / len(samples) for count in counts]


def test_a_geometric_float_puts_equal_mass_in_every_decade():
    trait = Space.from_spec([{"name": "lr", "type": "geometric_float", "low": 1e-4, "high": 1.0}])["lr"]
    rng = random.Random(42)
    samples = [trait.sample(rng) for _ in range(DRAWS)]
    # A uniform draw would put 90% of the mass in the last decade.
    for share in _shares_per_decade([s * 1e4 for s in samples], 4):
        assert abs(share - 0.25) < TOLERANCE


def test_a_geometric_int_puts_equal_mass_in_every_decade():
    trait = Space.from_spec([{"name": "units", "type": "geometric_int", "low": 1, "high": 999}])["units"]
    rng = random.Random(43)
    samples = [trait.sample(rng) for _ in range(DRAWS)]
    for share in _shares_per_decade(samples, 3):
        assert abs(share - 1 / 3) < TOLERANCE


def test_a_geometric_int_gives_each_integer_its_log_uniform_probability():
    trait = Space.from_spec([{"name": "k", "type": "geometric_int", "low": 1, "high": 7}])["k"]
    rng = random.Random(44)
    samples = [trait.sample(rng) for _ in range(DRAWS)]
    for k in range(1, 8):
        expected = math.log((k + 1) / k) / math.log(8)
        assert abs(samples.count(k) / DRAWS - expected) < TOLERANCE


def test_a_uniform_float_is_not_log_uniform():
    # The same check must fail for a uniform trait, or it proves nothing.
    trait = Space.from_spec([{"name": "x", "type": "float", "low": 1e-4, "high": 1.0}])["x"]
    rng = random.Random(45)
    samples = [trait.sample(rng) for _ in range(DRAWS)]
    shares = _shares_per_decade([s * 1e4 for s in samples], 4)
    assert shares[-1] > 0.85
