"""The dashboard's state, built once per version for every client watching a search.

Every client watching a search polls it. Its version is looked at once a second at
most, and its state built (encoded and compressed) once per version, by one thread
while the others wait. A change therefore reaches the pages within a second plus
their own polling interval, and a thousand clients cost what one costs.

The locks are a fixed set shared by stripes of search ids: a big search being built
holds up only the searches of its stripe, and the set never grows with the number of
searches ever viewed.

A process keeps the boards of the searches watched lately; one that has none reads the board
last kept in the database (``snapshot``), which this process, another, or a machine's reconciler
(``keep_boards``) wrote, and folds in only what ended since: a first look does not read every
ended candidate again.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.db.models import Q

from searches.clock import db_now
from searches.live import dashboard, snapshot
from searches.live import state as live_state
from searches.models import Search

log = logging.getLogger("gaweb.dashboard")

FRESH_FOR_SECONDS = 1.0
LOCK_STRIPES = 64
_LOCKS = tuple(threading.Lock() for _ in range(LOCK_STRIPES))
# The boards of the searches watched lately, kept in this process (not in Django's cache: a
# board of 100,000 points would be pickled at every update). Bounded: the least recently
# watched goes first, and is read afresh when it is watched again.
MAX_BOARDS = 8
_BOARDS: OrderedDict[str, dashboard.Board] = OrderedDict()
_BOARDS_LOCK = threading.Lock()


@dataclass(frozen=True)
class State:
    version: str
    raw: bytes  # JSON
    gzipped: bytes


def latest_state(search: Search, *, since: tuple[str, int] | None = None) -> State:
    """The search's state as of at most ``FRESH_FOR_SECONDS`` ago: whole, or, for a client that
    says what it holds (``since``: its board token and point count), only what changed since.

    When the version moves, the board catches up with what ended (cheap: what changed); the
    whole state is encoded only when a client asks for it, once per version.
    """
    key = _key(search)
    with _LOCKS[search.pk % LOCK_STRIPES]:
        version, whole, board = _caught_up(search, key)
        if since is not None and since[0] == board.token and board.dropped <= since[1] <= len(board.points):
            # A delta is small and cheap to build: one per client, never cached.
            return _encoded(version, live_state.dashboard_state(search, version=version, board=board, since=since))
        if whole is None:
            whole = _encoded(version, live_state.dashboard_state(search, version=version, board=board))
            cache.set(key, (time.time(), version, whole), 3600)
        return whole


def latest_leaderboard_page(search: Search, *, offset: int) -> dict:
    """A page of the leaderboard, from the board kept for the state (caught up as the state is,
    under the same lock): a page costs what changed, never a board built afresh."""
    with _LOCKS[search.pk % LOCK_STRIPES]:
        _, _, board = _caught_up(search, _key(search))
        return live_state.leaderboard_page(search, offset=offset, board=board)


def _key(search: Search) -> str:
    return f"gaweb:state:{search.pk}:{search.created_at.timestamp()}"


def _caught_up(search: Search, key: str) -> tuple[str, State | None, dashboard.Board]:
    """The version, the whole state encoded for it if there is one, and the board caught up:
    the version looked at once a second at most, and the board caught up only when it moved.
    Called under the search's lock."""
    cached = cache.get(key)  # (looked at, version, the whole state or None)
    board = _board(key)
    if cached is not None and board is not None and time.time() - cached[0] < FRESH_FOR_SECONDS:
        return cached[1], cached[2], board
    version = live_state.state_version(search)
    whole = cached[2] if cached is not None and cached[1] == version and board is not None else None
    if whole is None:  # something moved (or this process has no board yet): catch up
        board = _caught_up_board(search, board)
        _keep_board(key, board)
        try:
            snapshot.keep(search, board)
        except Exception:  # the dashboard answers all the same; the next process builds its own
            log.exception("the dashboard board of search %s could not be kept in the database", search.pk)
    cache.set(key, (time.time(), version, whole), 3600)
    return version, whole, board


def _caught_up_board(search: Search, board: dashboard.Board | None) -> dashboard.Board:
    """The search's board caught up: this process's, or the one kept in the database where this
    process would otherwise build one afresh (it has none, or the search has just ended and another
    process or a reconciler may have kept its exact board already), with what ended since folded in.
    A board read back that cannot be caught up is logged and built afresh."""
    read_back = None
    if live_state.built_afresh(board, search):
        read_back = snapshot.load(search)
        board = read_back or board
    try:
        return live_state.board_catch_up(search, board)
    except DatabaseError:
        raise
    except Exception:
        if read_back is None:
            raise
        log.exception("the kept board of search %s could not be caught up; building it afresh", search.pk)
        return live_state.board_catch_up(search, None)


def forget_all() -> None:
    """Drop every board kept (for benchmarks and tests that measure a first look)."""
    with _BOARDS_LOCK:
        _BOARDS.clear()


def _encoded(version: str, body: dict) -> State:
    raw = json.dumps(body, cls=DjangoJSONEncoder).encode()
    return State(version, raw, gzip.compress(raw, compresslevel=5))


def _board(key: str) -> dashboard.Board | None:
    with _BOARDS_LOCK:
        board = _BOARDS.get(key)
        if board is not None:
            _BOARDS.move_to_end(key)
        return board


def _keep_board(key: str, board: dashboard.Board) -> None:
    with _BOARDS_LOCK:
        _BOARDS[key] = board
        _BOARDS.move_to_end(key)
        while len(_BOARDS) > MAX_BOARDS:
            _BOARDS.popitem(last=False)


def keep_boards(*, every: float = snapshot.KEEP_EVERY_SECONDS) -> int:
    """Write to the database the boards of the searches that run, and of those that ended within
    the hour, about once every ``every`` seconds, so that the first look of any process costs what
    ended since (run by each machine's reconciler; one machine keeps each board at a time).
    Returns how many were written. One search's failure is logged; the others are kept."""
    kept = 0
    active = Q(status__in=(Search.Status.PENDING, Search.Status.RUNNING))
    searches = list(Search.objects.filter(active | Q(finished_at__gte=db_now() - timedelta(hours=1))))
    random.shuffle(searches)  # machines that pass at once claim different searches first
    for search in searches:
        try:
            if not snapshot.claim(search, every=every):
                continue
            with _LOCKS[search.pk % LOCK_STRIPES]:
                snapshot.write(search, _caught_up_board(search, _board(_key(search))))
            kept += 1
        except Exception:  # the others are kept all the same (the database away: each says so)
            log.exception("the dashboard board of search %s could not be kept", search.pk)
    return kept
