"""Which traits matter, read from the database (for the exports; the live dashboard keeps its own
sample on its board, ``searches.live.dashboard``). Both go through ``genetics.importance_over_generations``."""

from __future__ import annotations

import logging
from typing import Any

from searches.genetics import importance_over_generations
from searches.models import Entity, Search

log = logging.getLogger("gaweb.exports")

# The candidates of the population: not the references and repeats, whose genomes were not proposed.


def trait_importance(search: Search) -> dict[str, Any] | None:
    """Trait importance over the search's fully trained candidates, and how it settled by generation."""
    rows = (
        Entity.objects.population()
        .filter(search=search, status=Entity.Status.DONE, fitness__isnull=False)
        .values_list("id", "generation__number", "genome", "fitness")
    )
    try:
        return importance_over_generations(search.space, list(rows))
    except Exception:  # an optional part of the export: the rest must not go with it
        log.exception("trait importance of search #%s could not be worked out", search.pk)
        return None
