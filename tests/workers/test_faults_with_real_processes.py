"""Faults survived with real processes: Redis, ``runworkers`` and its Celery workers, the database."""

from __future__ import annotations

import json
import time

import pytest
import redis

from searches import services
from searches.genetics import BreedingPolicy, Space, genome_hash, propose_generation
from searches.models import Entity, Generation, Search
from tests.processes import run_command, wait_until

TRAITS = [{"name": "x", "type": "float", "low": 0, "high": 1}, {"name": "y", "type": "float", "low": 0, "high": 1}]


def _completed() -> bool:
    return Search.objects.first().status == Search.Status.COMPLETED


def _queue(process_env, tmp_path, spec) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    queued = run_command(process_env, "runsearch", str(path), timeout=60)
    assert queued.returncode == 0, queued.stderr


def test_an_entity_that_kills_its_worker_every_time_fails_after_bounded_attempts(supervised, process_env, tmp_path):
    ga = {"population": 4, "generations": 2, "elite_previous": 2, "elite_all_time": 2, "immigrants": 0}
    # Crash exactly the generation-0 genome with the lowest hash.
    first = propose_generation(Space.from_spec(TRAITS), BreedingPolicy(**ga), seed=8, number=0)
    shares = sorted(int(genome_hash(p.genome)[:8], 16) / 2**32 for p in first)
    crash = (shares[0] + shares[1]) / 2
    spec = {"name": "crasher", "objective": "synthetic", "seed": 8, "ga": ga, "traits": TRAITS,
            "training": {"synthetic_delay": 0.2, "synthetic_crash": crash}}  # fmt: skip
    supervised.start()
    _queue(process_env, tmp_path, spec)

    assert wait_until(_completed, timeout=120), supervised.logs()
    crashed = Entity.objects.get(generation__number=0, error__contains="attempts")
    assert crashed.status == Entity.Status.FAILED and crashed.attempts == 2
    assert "failed after 2 attempts" in crashed.error
    assert not Entity.objects.filter(status__in=Entity.PENDING).exists()


def test_a_search_survives_redis_losing_its_data_mid_search(supervised, process_env, redis_server, tmp_path):
    ga = {"population": 6, "generations": 3, "elite_previous": 3, "elite_all_time": 3, "mutation_rate": 1.0}
    spec = {"name": "redis loses its data", "objective": "synthetic", "seed": 9, "ga": ga, "traits": TRAITS,
            "training": {"synthetic_delay": 0.3}}  # fmt: skip
    supervised.start()
    _queue(process_env, tmp_path, spec)
    assert wait_until(lambda: Entity.objects.filter(status=Entity.Status.DONE).exists(), timeout=60), supervised.logs()

    redis.Redis.from_url(redis_server.url).flushall()  # every queued job is gone

    assert wait_until(_completed, timeout=120), supervised.logs()
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == 18 and set(candidates.values_list("status", flat=True)) == {Entity.Status.DONE}
    assert set(candidates.values_list("attempts", flat=True)) == {1}  # lost jobs resent, nothing trained twice


@pytest.mark.concurrency
def test_eight_workers_racing_through_fifty_generations_lose_and_double_nothing(workers, process_env, tmp_path):
    ga = {"population": 8, "generations": 50, "elite_previous": 4, "elite_all_time": 4, "mutation_rate": 1.0}
    spec = {"name": "stress", "objective": "synthetic", "seed": 10, "ga": ga, "traits": TRAITS,
            "training": {"synthetic_delay": 0.002}}  # fmt: skip
    workers.start(8, preload_keras=False)
    _queue(process_env, tmp_path, spec)
    assert wait_until(_completed, timeout=400, interval=1), workers.logs()

    numbers = list(Generation.objects.values_list("number", flat=True))
    assert sorted(numbers) == list(range(50))  # no generation bred twice, none missing
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == 8 * 50
    assert set(candidates.values_list("status", flat=True)) == {Entity.Status.DONE}
    assert set(candidates.values_list("attempts", flat=True)) == {1}  # none recorded twice
    assert len(set(candidates.values_list("worker", flat=True))) >= 4


def test_all_workers_killed_then_started_again_the_search_resumes(workers, process_env, tmp_path):
    ga = {"population": 6, "generations": 3, "elite_previous": 3, "elite_all_time": 3, "mutation_rate": 1.0}
    spec = {"name": "power cut", "objective": "synthetic", "seed": 11, "ga": ga, "traits": TRAITS,
            "training": {"synthetic_delay": 1.0}}  # fmt: skip
    workers.start(2, preload_keras=False)
    _queue(process_env, tmp_path, spec)
    assert wait_until(lambda: Entity.objects.filter(status=Entity.Status.RUNNING).count() == 2, timeout=60)
    workers.kill("cpu0")
    workers.kill("cpu1")  # a power cut: nobody finishes anything

    workers.start(2, preload_keras=False)
    assert wait_until(_completed, timeout=120), workers.logs()
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    assert set(candidates.values_list("status", flat=True)) == {Entity.Status.DONE}
    assert max(candidates.values_list("attempts", flat=True)) == 2


def test_a_cancelled_search_trains_nothing_more_and_the_workers_move_on(workers, process_env, tmp_path):
    slow = {"name": "to cancel", "objective": "synthetic", "seed": 12, "traits": TRAITS,
            "ga": {"population": 8, "generations": 3, "elite_previous": 4, "elite_all_time": 4},
            "training": {"synthetic_delay": 1.0}}  # fmt: skip
    quick = {**slow, "name": "goes on", "training": {"synthetic_delay": 0.05}}
    workers.start(1, preload_keras=False)
    _queue(process_env, tmp_path, slow)
    assert wait_until(lambda: Entity.objects.filter(status=Entity.Status.RUNNING).exists(), timeout=60)
    cancelled = Search.objects.get(name="to cancel")
    services.search_cancel(search_id=cancelled.pk)
    _queue(process_env, tmp_path, quick)

    assert wait_until(lambda: Search.objects.get(name="goes on").status == Search.Status.COMPLETED, timeout=120)
    mine = Entity.objects.filter(search=cancelled)
    assert mine.filter(status=Entity.Status.DONE).count() <= 1  # at most the one in training when cancelled
    assert mine.filter(status=Entity.Status.CANCELLED).count() >= 6
    assert not mine.filter(status__in=Entity.PENDING).exists()
    assert cancelled.generation_set.count() == 1


def test_a_search_survives_redis_restarting_mid_search(supervised, process_env, redis_server, tmp_path):
    ga = {"population": 6, "generations": 3, "elite_previous": 3, "elite_all_time": 3, "mutation_rate": 1.0}
    spec = {"name": "redis restarts", "objective": "synthetic", "seed": 13, "ga": ga, "traits": TRAITS,
            "training": {"synthetic_delay": 0.3}}  # fmt: skip
    supervised.start()
    _queue(process_env, tmp_path, spec)
    assert wait_until(lambda: Entity.objects.filter(status=Entity.Status.DONE).exists(), timeout=60), supervised.logs()

    redis_server.stop()  # its append-only file keeps the queued jobs
    time.sleep(3)
    redis_server.start()

    assert wait_until(_completed, timeout=120), supervised.logs()
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    assert set(candidates.values_list("status", flat=True)) == {Entity.Status.DONE}
