"""The dashboard's state, built once per version for every client watching a search.

Every client watching a search polls it. Its version is looked at once a second at
most, and its state built (encoded and compressed) once per version, by one thread
while the others wait. A change therefore reaches the pages within a second plus
their own polling interval, and a thousand clients cost what one costs.

The locks are a fixed set shared by stripes of search ids: a big search being built
holds up only the searches of its stripe, and the set never grows with the number of
searches ever viewed.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder

from . import selectors
from .models import Search

FRESH_FOR_SECONDS = 1.0
LOCK_STRIPES = 64
_LOCKS = tuple(threading.Lock() for _ in range(LOCK_STRIPES))


@dataclass(frozen=True)
class State:
    version: str
    raw: bytes  # JSON
    gzipped: bytes


def latest_state(search: Search) -> State:
    """The search's state as of at most ``FRESH_FOR_SECONDS`` ago."""
    key = f"gaweb:state:{search.pk}:{search.created_at.timestamp()}"
    latest = _fresh(cache.get(key))
    if latest is not None:
        return latest[1]
    with _LOCKS[search.pk % LOCK_STRIPES]:
        cached = cache.get(key)
        latest = _fresh(cached)
        if latest is not None:
            return latest[1]
        version = selectors.state_version(search)
        if cached is not None and cached[1].version == version:
            state = cached[1]  # nothing moved: look again in a second, build nothing
        else:
            raw = json.dumps(selectors.dashboard_state(search, version=version), cls=DjangoJSONEncoder).encode()
            state = State(version, raw, gzip.compress(raw, compresslevel=5))
        cache.set(key, (time.time(), state), 3600)
    return state


def _fresh(cached):
    if cached is not None and time.time() - cached[0] < FRESH_FOR_SECONDS:
        return cached
    return None
