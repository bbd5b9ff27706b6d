"""The dashboard's board kept in the database, so that a first look costs what ended since, not the search.

A process that has never seen a search (a new gunicorn process, a server restarted, any
process once the search ended) would otherwise build its board from every ended candidate:
2.5 s at 100,000 of them. Instead the board is kept in ``BoardSnapshot``: by each machine's
reconciler about once every ``KEEP_EVERY_SECONDS`` while the search runs, and once when it
has ended (``cache.keep_boards``), and by a web process whenever it had to build one afresh.
A process without a board reads that, and folds in only what ended since
(``state.board_catch_up``).

The board is stored as columns: unpickling 100,000 ``Point`` objects alone would take longer
than the whole first look may. An aggregated board (over ``AGGREGATE_ABOVE`` points) keeps
only the count of its points, which no client can ask for again (a board read back has a new
token), and its ranked candidates as columns, each turned back into a ``Point`` only when a
page of the leaderboard shows it.

Pickle, not JSON: the board's aggregates are plain Python values, and the data is written
and read by gaweb's own processes alone, in gaweb's own database. ``FORMAT`` changes with the
board's attributes, so that a snapshot written by another version of gaweb is built afresh
rather than read wrongly.
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import operator
import pickle
import time
import uuid
import zlib
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Now

from searches.clock import db_now
from searches.genetics import Space
from searches.live import dashboard
from searches.live.dashboard import Board, Point
from searches.live.points import (
    CONTINUOUS_BINS,
    FITNESS_BINS,
    IMPORTANCE_SAMPLE,
    FitnessScale,
    ImportanceSample,
    ParetoFront,
    RungLadder,
    TraitAxis,
)
from searches.models import BoardSnapshot, Search

log = logging.getLogger("gaweb.dashboard")

KEEP_EVERY_SECONDS = 60.0
GROWN = 1000
_POINT_FIELDS = tuple(Point.__dataclass_fields__)
_REPEATED = ("origin", "status", "worker")  # a handful of strings, each repeated in thousands of rows
# Rebuilt from columns, or never stored: the rest of the board is pickled as it is.
_COLUMNS = ("token", "points", "ids", "_ranked", "_keys", "_ranking", "_pareto", "kept")


# Raise it whenever what an attribute of the board (or of what it holds) means changes; a new
# attribute, another constant or another field changes the layout by itself (``_format``).
LAYOUT_VERSION = 1


def _format() -> str:
    """The board's layout: the attributes of a board and of each part it holds, a Point's fields,
    the constants that shape them, and ``LAYOUT_VERSION``. Another layout is never read."""
    axes = Space.from_spec([{"name": "b", "type": "bool"}, {"name": "f", "type": "float", "low": 0, "high": 1}])
    parts = [
        Board(axes, 1),
        FitnessScale(),
        ParetoFront(),
        RungLadder([1]),
        ImportanceSample(axes),
        *map(TraitAxis, axes),
    ]
    names = [f"{type(part).__name__}: {' '.join(sorted(vars(part)))}" for part in parts]
    constants = (
        LAYOUT_VERSION,
        _POINT_FIELDS,
        dashboard.AGGREGATE_ABOVE,
        FITNESS_BINS,
        CONTINUOUS_BINS,
        IMPORTANCE_SAMPLE,
    )
    return hashlib.sha1(repr((names, constants)).encode()).hexdigest()[:16]


FORMAT = _format()


class _RankedColumns(dict):
    """The ranked candidates of a board read back: ``Point``s made from the stored columns only
    when asked for (a page shows 25 of them), the new ones held as usual."""

    def __init__(self, columns: tuple[tuple, ...]):
        super().__init__()
        self._columns = columns
        self._row = {pk: i for i, pk in enumerate(columns[0])} if columns else {}

    def __missing__(self, pk: int) -> Point:
        i = self._row[pk]  # KeyError: not a ranked candidate
        point = self[pk] = Point(*(column[i] for column in self._columns))
        return point

    def get(self, pk: int, default: Any = None) -> Any:
        try:
            return self[pk]
        except KeyError:
            return default

    def columns(self, pks: list[int]) -> list[list]:
        """The fields of ``pks``' Points as columns, without making the Points not made yet."""
        made, row = dict.get, self._row
        at = [None if made(self, pk) is not None else row[pk] for pk in pks]
        return [
            [column[i] if i is not None else getattr(self[pk], name) for i, pk in zip(at, pks, strict=True)]
            for name, column in zip(_POINT_FIELDS, self._columns, strict=True)
        ]


def _columns(points: list[Point]) -> list[list]:
    """A Point's fields as columns, each string once (pickled once, the rest as references to it)."""
    columns = []
    for name in _POINT_FIELDS:
        column = list(map(operator.attrgetter(name), points))
        if name in _REPEATED:
            once: dict[str, str] = {}
            column = [once.setdefault(value, value) for value in column]
        columns.append(column)
    return columns


def encode(board: Board) -> bytes:
    """The board, compressed: what ``decode`` reads back (a new token, the same figures)."""
    state = {name: value for name, value in vars(board).items() if name not in _COLUMNS}
    pks = [pk for *_, pk in board._ranking]
    ranked = board._ranked
    restored = isinstance(ranked, _RankedColumns)
    state["ranked"] = ranked.columns(pks) if restored else _columns([ranked[pk] for pk in pks])
    state["ranking"] = tuple(zip(*board._ranking, strict=True)) if board._ranking else ((), (), ())
    state["ids"] = tuple(board.ids)
    if board.aggregated:
        state["points"] = len(board.points)  # never sent again: a board read back has a new token
    else:
        state["points"] = _columns(board.points)
    return zlib.compress(pickle.dumps((FORMAT, state), protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode(data: bytes) -> Board | None:
    """The board ``encode`` wrote, or None if it was written by another layout of the board."""
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of objects made at once: no collection passes among them
    try:
        return _decoded(zlib.decompress(data))
    finally:
        if collecting:
            gc.enable()


class _BoardUnpickler(pickle.Unpickler):
    """Makes only what a board is made of: a row changed by hand in the database cannot make
    anything else (pickle would otherwise call whatever the data names)."""

    ALLOWED = {
        *(("builtins", name) for name in ("set", "frozenset", "int", "float", "str", "list", "dict", "tuple", "bool")),
        ("collections", "Counter"), ("collections", "defaultdict"), ("functools", "partial"),
        ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta"),
    }  # fmt: skip
    OURS = ("searches.live.", "searches.genetics.")

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED or (module.startswith(self.OURS) and not name.startswith("__")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a dashboard board")


def _decoded(raw: bytes) -> Board | None:
    layout, state = _BoardUnpickler(io.BytesIO(raw)).load()
    if layout != FORMAT:
        return None
    points, ranked, ranking, ids = (state.pop(name) for name in ("points", "ranked", "ranking", "ids"))
    board = Board.__new__(Board)
    vars(board).update(state)
    board.token = uuid.uuid4().hex[:12]  # a client's copy from another process's board is not a prefix of this one
    if isinstance(points, int):  # an aggregated board's: no client can ask for them again
        board.points, board.dropped = [None] * points, points
    else:
        board.points = [Point(*row) for row in zip(*points, strict=True)]
    board.ids = set(ids)
    board._ranking = list(zip(*ranking, strict=True))
    board._keys = dict(zip(ranking[2], board._ranking, strict=True))
    board._ranked = _RankedColumns(ranked)
    board._pareto = None
    board.kept = None
    return board


def load(search: Search) -> Board | None:
    """The search's board as last kept in the database, or None (none kept, another layout, unreadable)."""
    # A claimed row not written yet has no format.
    row = BoardSnapshot.objects.filter(search=search, format=FORMAT).values_list("data", "points", "status").first()
    if row is None:
        return None
    data, points, status = row
    try:
        board = decode(bytes(data))
    except Exception:  # a damaged row costs a board built afresh, never the dashboard
        log.exception("the kept board of search %s could not be read; building it afresh", search.pk)
        return None
    if board is not None:
        board.kept = (time.monotonic(), points, status)
    return board


def keep(search: Search, board: Board) -> bool:
    """Write the board to the database if this process built it (nobody had kept one, or the search
    ended since), if the search's status moved, or if it has grown by a tenth (``GROWN``
    candidates at least) since it was kept; returns whether it wrote. Writing it as candidates end
    is the reconcilers' work (``cache.keep_boards``); the growth rule bounds what a new process
    catches up where no reconciler runs (an inline search, watched)."""
    kept = board.kept
    if kept is not None and kept[2] == board.search_status and len(board.points) - kept[1] < max(GROWN, kept[1] // 10):
        return False
    write(search, board)
    return True


def write(search: Search, board: Board) -> None:
    # Trait importance is worked out first, so that the board read back has it (it takes longer to
    # work out than the rest of a first look).
    board.trait_importance(final=not search.is_active)
    fields = {
        "taken_at": Now(),  # the database's clock, as the claims read it
        "status": board.search_status,
        "points": len(board.points),
        "format": FORMAT,
        "data": encode(board),
        "claimed_at": None,  # a reconciler's claim ends with the write
    }
    if not BoardSnapshot.objects.filter(search=search).update(**fields):
        try:
            with transaction.atomic():  # a savepoint: the error must not end the caller's transaction
                BoardSnapshot.objects.create(search=search, **fields)
        except IntegrityError:  # another process created it at the same moment: ours is as recent
            BoardSnapshot.objects.filter(search=search).update(**fields)
    board.kept = (time.monotonic(), len(board.points), board.search_status)


def claim(search: Search, *, every: float = KEEP_EVERY_SECONDS) -> bool:
    """Whether this process should keep the search's board now: a running search's when it was
    written ``every`` seconds ago or more, an ended one's when what is kept is not its exact board.
    The reconcilers of several machines run at once: a conditional update on ``claimed_at``
    decides which one does it, and one that died while at it leaves it to whoever asks ``every``
    seconds later."""
    now = db_now()
    lease = now - timedelta(seconds=every)
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease)
    due = Q(taken_at__lt=lease) if search.is_active else ~Q(status=search.status, format=FORMAT)
    if BoardSnapshot.objects.filter(free & due, search=search).update(claimed_at=now):
        return True
    if BoardSnapshot.objects.filter(search=search).exists():
        return False  # kept lately, or being kept by another machine
    try:
        with transaction.atomic():
            BoardSnapshot.objects.create(search=search, taken_at=now, claimed_at=now)  # no format: not readable
    except IntegrityError:  # another machine has just claimed it
        return False
    return True
