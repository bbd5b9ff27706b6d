"""Trait descriptions: the JSON of one trait, checked and turned into a trait value object.

Discrete grids, so that a space's number of combinations can be counted:

* ``int`` is always discrete; ``step`` (default 1) spaces its values.
* ``float`` with ``step`` takes ``low, low + step, ..., high``.
* ``geometric_float`` and ``geometric_int`` with ``step`` take the geometric grid
  ``low, low * step, low * step**2, ..., high``: ``step`` is a ratio greater than 1
  (``step: 2`` gives 16, 32, 64, ...; ``step: 10`` gives 1e-4, 1e-3, ...).
  Without ``step`` a ``geometric_float`` is continuous and a ``geometric_int``
  takes every integer in the range, each with log-uniform probability.

In every case ``high`` must lie on the grid, so that the range a user types is
the range that is searched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ._errors import ErrorCollector, SpecError
from ._traits import TRAIT_TYPES, BoolTrait, ChoiceTrait, Trait, is_number, tidy

NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]*\Z")
MAX_NAME_LENGTH = 64
MAX_CHOICES = 256
MAX_CHOICE_LENGTH = 200
# Largest grid a discrete trait may have: beyond this a continuous trait is the honest model.
MAX_GRID_POINTS = 100_000
# Relative tolerance for "high lies on the grid" with floating-point steps.
_GRID_TOLERANCE = 1e-9

_KEYS = {
    "bool": {"name", "type"},
    "choice": {"name", "type", "choices"},
}
_NUMERIC_KEYS = {"name", "type", "low", "high", "step"}


def trait_from_spec(spec: Any) -> Trait:
    """Build a trait from its JSON description, or raise ``SpecError`` with every problem.

    Error paths are relative to the trait (``"low"``, ``"choices"``).
    """
    if not isinstance(spec, Mapping):
        raise SpecError("a trait must be an object with 'name' and 'type'")
    errors = ErrorCollector()
    name = spec.get("name")
    if name is None:
        errors.add("name", "this field is required")
    elif not isinstance(name, str):
        errors.add("name", "must be a string")
    elif len(name) > MAX_NAME_LENGTH:
        errors.add("name", f"must be at most {MAX_NAME_LENGTH} characters")
    elif not NAME_PATTERN.match(name):
        errors.add(
            "name", f"{name!r} is not a valid name: use lower-case letters, digits and _, not starting with a digit"
        )

    kind = spec.get("type")
    if kind is None:
        errors.add("type", "this field is required")
        errors.raise_if_any()
    if not isinstance(kind, str) or kind not in TRAIT_TYPES:
        shown = repr(kind)[:40]
        errors.add("type", f"unknown trait type {shown}; known types: {', '.join(TRAIT_TYPES)}")
        errors.raise_if_any()

    allowed = _KEYS.get(kind, _NUMERIC_KEYS)
    for key in spec:
        if key not in allowed:
            shown = repr(key)[:40]
            errors.add(
                str(key)[:40], f"unexpected key {shown} for a {kind} trait; allowed: {', '.join(sorted(allowed))}"
            )

    if kind == "bool":
        errors.raise_if_any()
        return BoolTrait(name=name)
    if kind == "choice":
        choices = _check_choices(spec.get("choices"), errors)
        errors.raise_if_any()
        return ChoiceTrait(name=name, choices=choices)
    return _numeric_trait(kind, name, spec, errors)


def _check_choices(choices: Any, errors: ErrorCollector) -> tuple[Any, ...]:
    if choices is None:
        errors.add("choices", "this field is required")
        return ()
    if not isinstance(choices, list):
        errors.add("choices", "must be a list")
        return ()
    if not choices:
        errors.add("choices", "must hold at least one value")
        return ()
    if len(choices) > MAX_CHOICES:
        errors.add("choices", f"at most {MAX_CHOICES} choices")
        return ()
    seen: list[Any] = []
    for choice in choices:
        if isinstance(choice, float) and not math.isfinite(choice):
            errors.add("choices", "choices must be finite numbers")
        elif isinstance(choice, str) and len(choice) > MAX_CHOICE_LENGTH:
            errors.add("choices", f"a choice may be at most {MAX_CHOICE_LENGTH} characters")
        elif not isinstance(choice, (str, int, float, bool)):
            errors.add("choices", "choices must be strings, numbers or booleans")
        elif any(type(choice) is type(s) and choice == s for s in seen):
            errors.add("choices", f"{choice!r} is listed twice")
        else:
            seen.append(choice)
    return tuple(choices)


def _numeric_trait(kind: str, name: str, spec: Mapping[str, Any], errors: ErrorCollector) -> Trait:
    integral = kind in ("int", "geometric_int")
    geometric = kind.startswith("geometric")
    bounds = {}
    for key in ("low", "high"):
        value = spec.get(key)
        if value is None:
            errors.add(key, "this field is required")
        elif integral and not _is_integer(value):
            errors.add(key, "must be an integer")
        elif not is_number(value):
            errors.add(key, "must be a finite number")
        else:
            bounds[key] = int(value) if integral else float(value)
    step = spec.get("step")
    if step is not None and not is_number(step):
        errors.add("step", "must be a finite number")
        step = None
    if len(bounds) < 2:
        errors.raise_if_any()

    low, high = bounds["low"], bounds["high"]
    if low >= high:
        errors.add("high", f"the range is empty or inverted: high ({high}) must be greater than low ({low})")
    if kind == "geometric_int" and low < 1:
        errors.add("low", "must be at least 1 for a geometric_int trait (log scale)")
    elif geometric and low <= 0:
        errors.add("low", f"must be greater than 0 for a {kind} trait (log scale)")
    errors.raise_if_any()

    if geometric:
        values = _geometric_grid(low, high, step, integral, errors)
    else:
        values = _linear_grid(low, high, step, integral, errors)
    errors.raise_if_any()

    cls = TRAIT_TYPES[kind]
    if step is not None and integral and float(step).is_integer():
        step = int(step)
    return cls(name=name, low=low, high=high, step=step, values=values)


def _linear_grid(low: float, high: float, step: float | None, integral: bool, errors: ErrorCollector):
    if step is None:
        if not integral:
            return None
        if high - low + 1 > MAX_GRID_POINTS:
            errors.add("high", f"the range holds more than {MAX_GRID_POINTS:,} integers; use a step or a float trait")
            return None
        return tuple(range(int(low), int(high) + 1))
    if step <= 0:
        errors.add("step", "must be greater than 0")
        return None
    if integral and not float(step).is_integer():
        errors.add("step", "must be a whole number for an int trait")
        return None
    count = round((high - low) / step)
    if count + 1 > MAX_GRID_POINTS:
        errors.add("step", f"gives more than {MAX_GRID_POINTS:,} values; leave step out for a continuous trait")
        return None
    if not math.isclose(low + count * step, high, rel_tol=_GRID_TOLERANCE, abs_tol=_GRID_TOLERANCE):
        errors.add("step", f"high ({high}) must be low ({low}) plus a whole number of steps ({step})")
        return None
    if integral:
        return tuple(range(int(low), int(high) + 1, int(step)))
    return tuple(tidy(low + i * step) for i in range(count + 1))


def _geometric_grid(low: float, high: float, step: float | None, integral: bool, errors: ErrorCollector):
    if step is None:
        if integral:
            if high - low + 1 > MAX_GRID_POINTS:
                errors.add("high", f"the range holds more than {MAX_GRID_POINTS:,} integers")
                return None
            return tuple(range(int(low), int(high) + 1))
        return None
    if step <= 1:
        errors.add("step", "must be a ratio greater than 1 for a geometric trait (2 gives low, 2*low, 4*low, ...)")
        return None
    count = round(math.log(high / low) / math.log(step))
    if count + 1 > MAX_GRID_POINTS:
        errors.add("step", f"gives more than {MAX_GRID_POINTS:,} values")
        return None
    if not math.isclose(low * step**count, high, rel_tol=_GRID_TOLERANCE):
        errors.add("step", f"high ({high}) must be low ({low}) times a whole power of step ({step})")
        return None
    if integral:
        values = tuple(round(low * step**i) for i in range(count + 1))
        if len(set(values)) != len(values):
            errors.add("step", "is too small: the rounded grid repeats values")
            return None
        return values
    return tuple(tidy(low * step**i) for i in range(count + 1))


def _is_integer(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)
