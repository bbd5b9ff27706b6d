from __future__ import annotations

from searches.models import Search


def can_change(user, search: Search) -> bool:
    """Cancel and the like: the owner of the search, or staff."""
    return user.is_authenticated and (user.is_staff or search.owner_id == user.pk)
