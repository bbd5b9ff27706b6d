"""Moving a search on after a candidate ends: by generations, or one birth at a time."""

from __future__ import annotations

from searches.models import Search
from searches.services.births import births_advance
from searches.services.generations import generations_advance


def search_advance(*, search_id: int) -> list[int]:
    """Breed what the search's mode calls for now, or complete it; safe to call at any time, from
    any number of processes. Returns the generations (or, in steady-state mode, the births) bred."""
    search = Search.objects.only("spec").get(pk=search_id)
    advance = births_advance if search.is_steady_state else generations_advance
    return advance(search_id=search_id)
