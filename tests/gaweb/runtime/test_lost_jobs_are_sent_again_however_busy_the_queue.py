"""Lost jobs are found by their entity, not by an empty queue: a queue kept busy by one search's
jobs (a machine without its dataset passes them on, again and again) no longer hides another
search's lost jobs. Real Redis, the reconciler's own pass."""

from __future__ import annotations

import json
from datetime import timedelta

import redis
from django.utils import timezone

from gaweb.runtime.reconcile import reconcile
from searches import services
from searches.models import Entity, Search
from searches.services.queueing import jobs_waiting


def _started(spec, name) -> Search:
    return services.search_create_and_start(spec={**spec, "name": name})


def test_the_lost_jobs_of_one_search_are_sent_again_while_another_s_fill_the_queue(
    small_spec, process_env, celery_to_test_redis
):
    busy, lost = _started(small_spec, "busy"), _started(small_spec, "lost")
    queue = process_env["GAWEB_QUEUE"]
    broker = redis.Redis.from_url(process_env["REDIS_URL"])
    lost_ids = set(Entity.objects.filter(search=lost, status=Entity.Status.QUEUED).values_list("pk", flat=True))
    busy_ids = set(Entity.objects.filter(search=busy, status=Entity.Status.QUEUED).values_list("pk", flat=True))
    assert jobs_waiting() == lost_ids | busy_ids and len(lost_ids) == len(busy_ids) == 6

    for message in broker.lrange(queue, 0, -1):  # the lost search's jobs vanish (Redis lost them)
        if json.loads(message)["headers"]["argsrepr"] in {f"[{pk}]" for pk in lost_ids}:
            broker.lrem(queue, 1, message)
    assert jobs_waiting() == busy_ids and broker.llen(queue) == 6  # not empty: the old rule sent nothing
    Entity.objects.update(queued_at=timezone.now() - timedelta(hours=1))

    assert reconcile()["resent"] == 6
    assert jobs_waiting() == lost_ids | busy_ids and broker.llen(queue) == 12  # the busy search's not doubled
    assert reconcile()["resent"] == 0  # just sent: nothing is lost now


def test_a_queue_too_long_to_read_is_not_taken_for_lost_jobs(small_spec, process_env, celery_to_test_redis):
    search = _started(small_spec, "long queue")
    assert jobs_waiting(limit=5) is None  # six jobs wait: more than it may read
    Entity.objects.filter(search=search).update(queued_at=timezone.now() - timedelta(hours=1))
    assert services.entities_resend_lost(waiting_longer_than=timedelta(minutes=1), in_broker=lambda: None) == 0
    assert redis.Redis.from_url(process_env["REDIS_URL"]).llen(process_env["GAWEB_QUEUE"]) == 6
