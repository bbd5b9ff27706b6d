"""Faults survived with real processes: Redis, ``runworkers`` and its Celery workers, the database."""

from __future__ import annotations

import json

import redis

from searches.genetics import BreedingPolicy, Space, genome_hash, propose_generation
from searches.models import Entity, Search
from tests.processes import run_command, wait_until

TRAITS = [{"name": "x", "type": "float", "low": 0, "high": 1}, {"name": "y", "type": "float", "low": 0, "high": 1}]


def _completed() -> bool:
    return Search.objects.get().status == Search.Status.COMPLETED


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
