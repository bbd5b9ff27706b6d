"""When a training process should make way for a fresh one: once it has grown past
GAWEB_WORKER_MEMORY_GROWTH over what it held once warm. With a real worker: tests/workers/
test_digits_search_on_real_workers.py."""

from __future__ import annotations

from workers.memory import MemoryWatch, rss_mb


def test_the_rule_waits_until_the_process_is_warm_then_compares_with_that():
    watch = MemoryWatch(15, warm=3)
    assert [watch.grown_after_candidate(mb) for mb in (300, 1000, 900)] == [False, False, False]
    assert watch.baseline == 1000  # the most it held while warming up
    assert not watch.grown_after_candidate(1150)
    assert watch.grown_after_candidate(1151)


def test_a_growth_of_zero_never_replaces_a_process():
    watch = MemoryWatch(0, warm=1)
    assert not any(watch.grown_after_candidate(mb) for mb in (100, 1000, 10_000))


def test_a_process_reads_its_own_resident_memory():
    assert 10 < rss_mb() < 100_000
