"""A training process's own memory, and when it should make way for a fresh one.

TensorFlow and Keras keep a little of every model a process trains (traced functions, allocator
pools): several MB a candidate on a CPU, more on a GPU, for as long as the process lives. A
days-long search trains thousands of candidates per worker, so a process whose resident memory
has grown by ``GAWEB_WORKER_MEMORY_GROWTH`` percent over what it held once warm (after its
first ``WARM_CANDIDATES``) is replaced after the candidate it has just recorded, through the
same path as a process that ran out of memory: the worker starts a fresh one, which pays the
deep-learning import again (seconds) and nothing else. ``GAWEB_WORKER_MAX_MEMORY_MB`` stays as
the absolute ceiling.
"""

from __future__ import annotations

import os
import resource

WARM_CANDIDATES = 3


def rss_mb() -> float:
    """This process's resident memory now, in MB (its peak where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


class MemoryWatch:
    """Counts the candidates of one process and says when it has grown past its limit."""

    def __init__(self, growth_percent: int, *, warm: int = WARM_CANDIDATES):
        self.growth = growth_percent / 100
        self.warm = warm
        self.candidates = 0
        self.baseline: float | None = None

    def grown_after_candidate(self, rss: float) -> bool:
        """Note a candidate trained to its end that left the process at ``rss`` MB; true once the
        process should be replaced. Its warm size is the most it held after any of its first
        ``warm`` candidates (a small first network must not make the next big one look like a leak)."""
        self.candidates += 1
        if self.candidates <= self.warm:
            self.baseline = max(self.baseline or 0.0, rss)
            return False
        return bool(self.growth) and rss > self.baseline * (1 + self.growth)
