from __future__ import annotations

from searches import services
from searches.models import Entity


def finish_queued(search_id: int, score) -> int:
    """Claim and record every queued entity of a search with ``score(genome)``; returns how many."""
    finished = 0
    for entity in Entity.objects.filter(search_id=search_id, status=Entity.Status.QUEUED):
        services.entity_claim(entity_id=entity.pk, worker="test")
        services.entity_record_result(
            entity_id=entity.pk, accuracy=score(entity.genome), parameter_count=1000, train_seconds=0.0
        )
        finished += 1
    return finished
