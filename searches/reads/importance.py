"""Which traits matter, read from the database (for the exports; the live dashboard keeps its own
sample on its board, ``searches.live.dashboard``). Both go through ``genetics.importance_over_generations``."""

from __future__ import annotations

from typing import Any

from searches.genetics import importance_over_generations
from searches.models import Entity, Search

# The candidates of the population: not the references and repeats, whose genomes were not proposed.
NOT_PROPOSED = (Entity.Origin.BASELINE, Entity.Origin.CONFIRMATION, Entity.Origin.FINAL)


def trait_importance(search: Search) -> dict[str, Any] | None:
    """Trait importance over the search's fully trained candidates, and how it settled by generation."""
    rows = (
        Entity.objects.filter(search=search, status=Entity.Status.DONE, fitness__isnull=False)
        .exclude(origin__in=NOT_PROPOSED)
        .values_list("generation__number", "genome", "fitness")
    )
    return importance_over_generations(search.space, list(rows))
