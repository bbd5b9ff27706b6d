"""While a candidate trains, its heartbeat notices when its search is cancelled, so that an objective
waiting on a program (a command) can stop it."""

from __future__ import annotations

import time

import pytest

from searches import services
from searches.models import Entity, Search
from workers.evaluation import Heartbeat


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_says_the_search_ended_once_it_is_cancelled(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.WORKERS)
    services.search_start(search_id=search.pk)
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("pk").first()
    claimed = services.entity_claim(entity_id=entity.pk, worker="cpu0@here")
    with Heartbeat(entity.pk, claimed.attempts, every=0.05) as heartbeat:
        time.sleep(0.3)
        assert not heartbeat.search_ended.is_set()
        services.search_cancel(search_id=search.pk)
        deadline = time.monotonic() + 5
        while not heartbeat.search_ended.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heartbeat.search_ended.is_set()
        assert not heartbeat.lost.is_set()  # the claim is still this worker's: its training may end as it likes
