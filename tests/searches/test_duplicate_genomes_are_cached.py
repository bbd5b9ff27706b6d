from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from searches import services
from searches.models import Entity, Search

from .helpers import finish_queued

TINY_SPACE = [
    {"name": "flag", "type": "bool"},
    {"name": "mode", "type": "choice", "choices": ["a", "b"]},
]


@pytest.fixture
def tiny_search(small_spec):
    small_spec["traits"] = TINY_SPACE
    # The reference's way with duplicates (ga.duplicates: "cache"); the default never proposes them.
    small_spec["ga"] = {"population": 12, "generations": 3, "elite_previous": 2, "elite_all_time": 2, "immigrants": 1,
                        "duplicates": "cache"}  # fmt: skip
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


def _score(genome):
    return 0.9 if genome["flag"] else 0.4


@pytest.mark.django_db
def test_a_genome_repeated_within_a_generation_is_trained_once(tiny_search):
    generation = tiny_search.generation_set.get(number=0)
    queued = generation.entities.filter(status=Entity.Status.QUEUED)
    assert queued.count() <= 4  # only four genomes exist
    assert queued.count() + generation.entities.filter(status=Entity.Status.CACHED).count() == 12


@pytest.mark.django_db
def test_a_copy_gets_its_originals_result_when_the_original_ends(tiny_search):
    finish_queued(tiny_search.pk, _score)
    for copy in Entity.objects.filter(search=tiny_search, generation__number=0, status=Entity.Status.CACHED):
        assert copy.cached_from.genome == copy.genome
        assert copy.fitness == copy.cached_from.fitness


@pytest.mark.django_db
def test_a_genome_already_trained_is_cached_in_later_generations(tiny_search):
    trained = finish_queued(tiny_search.pk, _score)
    services.search_advance(search_id=tiny_search.pk)
    trained += finish_queued(tiny_search.pk, _score)
    services.search_advance(search_id=tiny_search.pk)
    trained += finish_queued(tiny_search.pk, _score)
    services.search_advance(search_id=tiny_search.pk)
    tiny_search.refresh_from_db()
    assert tiny_search.status == Search.Status.COMPLETED
    assert trained <= 4  # four genomes, each trained at most once in the whole search
    done = Entity.objects.filter(search=tiny_search, status=Entity.Status.DONE)
    assert done.values("genome_hash").distinct().count() == done.count() == trained


@pytest.mark.django_db
def test_a_large_parent_pool_breeds_on_sqlite_too(small_spec):
    # 1,000 parents used to make one OR term each: more than SQLite accepts.
    small_spec["traits"] = [{"name": "x", "type": "float", "low": 0, "high": 1}]
    small_spec["ga"] = {"population": 600, "generations": 2, "elite_previous": 500, "elite_all_time": 500}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    finish_queued(search.pk, lambda genome: genome["x"])
    assert services.search_advance(search_id=search.pk) == [1]


@pytest.mark.django_db
def test_the_copies_of_a_training_cut_off_after_its_search_was_cancelled_end_with_it(tiny_search):
    original = Entity.objects.filter(search=tiny_search, status=Entity.Status.QUEUED, copies__isnull=False).first()
    services.entity_claim(entity_id=original.pk, worker="gone@host")
    services.search_cancel(search_id=tiny_search.pk)  # the copies of a training in progress wait for it
    Entity.objects.filter(pk=original.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    assert services.entities_requeue_stale(stale_after=timedelta(minutes=1), max_attempts=3) == 0
    original.refresh_from_db()
    assert original.status == Entity.Status.FAILED and "the search had ended" in original.error
    waiting = Entity.objects.filter(search=tiny_search, status=Entity.Status.CACHED, finished_at__isnull=True)
    assert not waiting.exists()
    copy = Entity.objects.filter(cached_from=original).first()
    assert f"same genome as entity #{original.pk}, which failed" in copy.error
