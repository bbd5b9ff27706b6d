"""How a trait's value reads on a page: one rule for the dashboard, the editor's previews and the compare page."""

from __future__ import annotations

from typing import Any


def value_label(value: Any) -> str:
    """A trait value as text: booleans as JSON spells them, floats to six significant digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
