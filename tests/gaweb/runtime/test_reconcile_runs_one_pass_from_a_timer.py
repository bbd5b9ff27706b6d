from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from searches import services
from searches.models import Entity, Search
from tests.processes import run_command


def test_one_pass_queues_again_an_entity_whose_worker_went_silent(process_env, small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)  # nothing sent from here
    services.search_start(search_id=search.pk)
    entity = Entity.objects.filter(search=search).first()
    services.entity_claim(entity_id=entity.pk, worker="gone@elsewhere")
    Entity.objects.filter(pk=entity.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    ran = run_command(process_env, "reconcile", timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "requeued or failed 1 silent entities" in ran.stdout
    entity.refresh_from_db()
    assert entity.status == Entity.Status.QUEUED and Search.objects.get().status == Search.Status.RUNNING
