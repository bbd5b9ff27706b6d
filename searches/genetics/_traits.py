"""Trait types: what a trait may take, how to draw a value, how many values there are.

Each trait is an immutable value object. ``sample`` draws from the trait's
distribution using only the random generator it is given; ``contains`` says
whether a value is legal; ``cardinality`` is the number of distinct values, or
``None`` for a continuous trait; ``position`` maps a legal value onto [0, 1] on the
trait's own scale (log scale for geometric traits), which plots and the
synthetic objective use. ``_trait_specs`` builds them from their JSON descriptions.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, ClassVar


def tidy(value: float) -> float:
    """Round to 12 significant digits, so that 1e-4 * 10**3 is stored as 0.1."""
    return float(f"{value:.12g}")


@dataclass(frozen=True)
class Trait:
    """Base of all trait types; see the module docstring."""

    name: str
    kind: ClassVar[str] = ""

    def sample(self, rng: random.Random) -> Any:
        raise NotImplementedError

    def contains(self, value: Any) -> bool:
        raise NotImplementedError

    @property
    def cardinality(self) -> int | None:
        values = self.grid()
        return None if values is None else len(values)

    def grid(self) -> list[Any] | None:
        """Every legal value in order, or ``None`` for a continuous trait."""
        raise NotImplementedError

    def position(self, value: Any) -> float:
        raise NotImplementedError

    def value_at(self, position: float) -> Any:
        """The legal value nearest to ``position`` on the trait's own scale (the inverse of ``position``)."""
        grid = self.grid()
        return min(grid, key=lambda value: abs(self.position(value) - position))

    def to_spec(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class BoolTrait(Trait):
    """``true`` or ``false``, each equally likely."""

    kind: ClassVar[str] = "bool"

    def sample(self, rng: random.Random) -> bool:
        return rng.random() < 0.5

    def contains(self, value: Any) -> bool:
        return isinstance(value, bool)

    def grid(self) -> list[bool]:
        return [False, True]

    def position(self, value: Any) -> float:
        return 1.0 if value else 0.0

    def to_spec(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind}


@dataclass(frozen=True)
class _GridTrait(Trait):
    """A numeric trait whose values may lie on a finite grid (``values``)."""

    low: float = 0
    high: float = 1
    step: float | None = None
    values: tuple[Any, ...] | None = None

    def sample(self, rng: random.Random) -> Any:
        if self.values is not None:
            return self.values[rng.randrange(len(self.values))]
        return self._sample_continuous(rng)

    def _sample_continuous(self, rng: random.Random) -> Any:
        raise NotImplementedError

    def contains(self, value: Any) -> bool:
        if not is_number(value):
            return False
        if self.values is not None:
            return value in self.values
        return self.low <= value <= self.high

    def grid(self) -> list[Any] | None:
        return None if self.values is None else list(self.values)

    def position(self, value: Any) -> float:
        return (value - self.low) / (self.high - self.low)

    def value_at(self, position: float) -> Any:
        if self.values is not None:
            return self._nearest_on_grid(position)
        return self._at(position)

    def _at(self, position: float) -> Any:
        return self.low + position * (self.high - self.low)

    def _nearest_on_grid(self, position: float) -> Any:
        # The grid is in increasing order, evenly spaced on the trait's own scale, except for an
        # unstepped geometric_int (every integer): bisect on positions, then take the nearer side.
        values = self.values
        low, high = 0, len(values) - 1
        while low < high:
            middle = (low + high) // 2
            if self.position(values[middle]) < position:
                low = middle + 1
            else:
                high = middle
        if low > 0 and abs(self.position(values[low - 1]) - position) <= abs(self.position(values[low]) - position):
            return values[low - 1]
        return values[low]

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "type": self.kind, "low": self.low, "high": self.high}
        if self.step is not None:
            spec["step"] = self.step
        return spec


@dataclass(frozen=True)
class IntTrait(_GridTrait):
    """Integers ``low, low + step, ..., high``, each equally likely."""

    kind: ClassVar[str] = "int"

    def contains(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and super().contains(value)


@dataclass(frozen=True)
class FloatTrait(_GridTrait):
    """Uniform in [low, high], or uniform over the grid ``low, low + step, ..., high``."""

    kind: ClassVar[str] = "float"

    def _sample_continuous(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


@dataclass(frozen=True)
class GeometricFloatTrait(_GridTrait):
    """Log-uniform in [low, high] (low > 0), or uniform over a geometric grid."""

    kind: ClassVar[str] = "geometric_float"

    def _sample_continuous(self, rng: random.Random) -> float:
        return math.exp(rng.uniform(math.log(self.low), math.log(self.high)))

    def position(self, value: Any) -> float:
        return math.log(value / self.low) / math.log(self.high / self.low)

    def _at(self, position: float) -> float:
        return self.low * (self.high / self.low) ** position


@dataclass(frozen=True)
class GeometricIntTrait(_GridTrait):
    """Integers in [low, high] (low >= 1), log-uniform: P(k) is proportional to log((k+1)/k).

    With ``step`` the values are a geometric grid, each equally likely.
    """

    kind: ClassVar[str] = "geometric_int"

    def contains(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and super().contains(value)

    def sample(self, rng: random.Random) -> int:
        if self.step is not None:
            return self.values[rng.randrange(len(self.values))]
        # Without a step, `values` lists every integer but the law is not uniform:
        # floor of a log-uniform draw on [low, high + 1): the exact discrete log-uniform law.
        drawn = math.exp(rng.uniform(math.log(self.low), math.log(self.high + 1)))
        return min(int(drawn), int(self.high))

    def position(self, value: Any) -> float:
        return math.log(value / self.low) / math.log(self.high / self.low)


@dataclass(frozen=True)
class ChoiceTrait(Trait):
    """One of a list of JSON scalars, each equally likely."""

    kind: ClassVar[str] = "choice"
    choices: tuple[Any, ...] = ()

    def sample(self, rng: random.Random) -> Any:
        return self.choices[rng.randrange(len(self.choices))]

    def contains(self, value: Any) -> bool:
        # type-aware, so that True is not taken for the choice 1
        return any(type(value) is type(c) and value == c for c in self.choices)

    def grid(self) -> list[Any]:
        return list(self.choices)

    def position(self, value: Any) -> float:
        if len(self.choices) == 1:
            return 0.0
        index = next(i for i, c in enumerate(self.choices) if type(value) is type(c) and value == c)
        return index / (len(self.choices) - 1)

    def to_spec(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.kind, "choices": list(self.choices)}


TRAIT_TYPES: dict[str, type[Trait]] = {
    cls.kind: cls for cls in (BoolTrait, IntTrait, FloatTrait, GeometricFloatTrait, GeometricIntTrait, ChoiceTrait)
}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
