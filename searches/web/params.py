"""Numbers in query strings, read safely: a request never gets a 500 for what it typed."""

from __future__ import annotations

# Below 2**63, the largest integer the databases store: a longer number is no row of theirs.
MAX_DIGITS = 18


def whole_number(text: str | None) -> int | None:
    """The integer, 0 or more, that ``text`` spells in ASCII digits; None for anything else.

    ``str.isdigit`` alone is not enough: ``"²".isdigit()`` is true and ``int("²")`` raises.
    """
    if text and len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None
