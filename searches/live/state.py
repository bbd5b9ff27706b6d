"""The live dashboard's reads: its version, its board caught up with what ended, its state and deltas.

Each in a bounded number of queries whatever the size of the search (the tests pin them:
``test_dashboard_queries_are_bounded``). The chart arithmetic is ``dashboard.py``'s; the
state kept between updates, ``state_cache.py``'s.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from typing import Any

from django.db.models import Count, Max, Q

from searches.clock import db_now
from searches.live import dashboard
from searches.models import Entity, Search
from searches.reads.selectors import final_results, iso


def state_version(search: Search) -> str:
    """A short fingerprint of everything the dashboard shows: when it is unchanged, nothing is sent.

    Two small queries, whatever the size of the search: the entities waiting or in training
    (an index range), and the newest end (an index's last entry). Something queued (a new
    generation, a final training), started, or ended moves it, and so does the search's own row.
    """
    pending = Entity.objects.filter(search=search, status__in=Entity.PENDING).aggregate(
        queued=Count("id", filter=Q(status=Entity.Status.QUEUED)),
        running=Count("id", filter=Q(status=Entity.Status.RUNNING)),
        started=Max("started_at"),
        newest=Max("id"),
    )
    finished = (
        Entity.objects.filter(search=search, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    parts = [search.pk, iso(search.created_at), search.status, search.current_generation, search.note]
    parts += [pending["queued"], pending["running"], iso(pending["started"]), pending["newest"], iso(finished)]
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


_POINT_FIELDS = (
    "id", "generation__number", "origin", "status", "fitness", "accuracy", "parameter_count",
    "train_seconds", "genome", "epochs", "replicate_of_id", "worker", "finished_at",
)  # fmt: skip
# A catch-up looks again at the ends of this long before the newest it folded in: one recorded
# with an earlier time but committed later (or by a machine whose clock is behind) is not missed.
CATCH_UP_OVERLAP = timedelta(minutes=2)
MANY_NEW = 500


def _ended(search: Search):
    return Entity.objects.of_the_search().filter(Entity.has_ended(), search=search)


def _fold(board: dashboard.Board, rows) -> None:
    with board.many():
        for *fields, finished in rows.values_list(*_POINT_FIELDS):
            board.add(dashboard.Point(*fields))
            if finished is not None and (board.newest_end is None or finished > board.newest_end):
                board.newest_end = finished


def built_afresh(board: dashboard.Board | None, search: Search) -> bool:
    """Whether ``board_catch_up`` builds the search's board afresh rather than catching ``board`` up:
    there is none, the search has ended since it was built (an ended search's figures are exact
    whatever happened while it ran), or it was given more generations (its charts have more columns)."""
    if board is None or board.generations != search.generations:
        return True
    return board.search_status != search.status and not search.is_active


def board_catch_up(search: Search, board: dashboard.Board | None = None) -> dashboard.Board:
    """The search's dashboard board with every candidate that has ended folded in (one query).

    Given the board of an earlier look, only what ended since is read and folded in; it is built
    afresh instead where ``built_afresh`` says so.
    """
    if built_afresh(board, search):
        board = dashboard.Board(
            search.space, search.generations, rungs=_rung_epochs(search), objectives=search.settings.objectives
        )
        _fold(board, _ended(search).order_by("finished_at", "id"))
    elif board.newest_end is None:
        _fold(board, _ended(search))
    else:
        # The overlap is read as ids alone (an index range); only the new ones are read whole.
        since = board.newest_end - CATCH_UP_OVERLAP
        recent = _ended(search).filter(finished_at__gte=since)  # every end sets finished_at
        new = [pk for pk in recent.values_list("id", flat=True) if pk not in board.ids]
        if len(new) > MANY_NEW:  # read whole rather than each named (a query's parameters are limited)
            _fold(board, recent.order_by("finished_at", "id"))
        elif new:
            _fold(board, Entity.objects.filter(pk__in=new))
    board.search_status = search.status
    return board


def leaderboard_page(search: Search, *, offset: int, board: dashboard.Board) -> dict[str, Any]:
    """One page of the leaderboard beyond the state's first (the dashboard pages through them all),
    from the search's board caught up (``board_catch_up``; kept per process by ``cache``)."""
    rows = _with_genomes(board.leaderboard(offset=offset))
    return {"rows": rows, "total": board.ranked_count, "offset": offset, "size": dashboard.LEADERBOARD_SIZE}


def _with_genomes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leaderboard rows with their genomes (a board that draws densities keeps none: one query for these)."""
    missing = [row["id"] for row in rows if row["genome"] is None]
    if missing:
        genomes = dict(Entity.objects.filter(pk__in=missing).values_list("id", "genome"))
        for row in rows:
            row["genome"] = row["genome"] if row["genome"] is not None else genomes.get(row["id"], {})
    return rows


def dashboard_state(
    search: Search,
    *,
    version: str | None = None,
    board: dashboard.Board | None = None,
    since: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Everything the live dashboard draws, aggregated on the server, in a fixed number of queries.

    ``board``: the search's board, caught up (``board_catch_up``); read afresh when not given.
    ``since``: the client's copy (a board's token and how many of its points it holds). From
    the same board, the answer is a delta (``"delta": true``): the points and the generations'
    histograms that changed since, and every small aggregate whole. Otherwise it is whole.
    """
    board = board if board is not None else board_catch_up(search)
    delta = since is not None and since[0] == board.token and board.dropped <= since[1] <= len(board.points)
    start = since[1] if delta else 0
    changed = board.delta_generations(start) if delta else None
    lines = board.lines()
    leaderboard = _with_genomes(board.leaderboard())
    best = next((row for row in leaderboard if row["origin"] != Entity.Origin.BASELINE), None)
    first_best = lines[0]["best"] if lines else None
    now = db_now()
    elapsed = ((search.finished_at or now) - search.started_at).total_seconds() if search.started_at else 0.0
    running = list(
        Entity.objects.filter(search=search, status=Entity.Status.RUNNING).values_list(
            "id", "worker", "gpu", "started_at"
        )
    )
    progress = _progress(search, board)
    remaining = progress["total"] - progress["ended"]
    seconds, trained = board.trained_seconds
    eta = remaining * (seconds / trained) / max(1, len(running)) if search.is_active and trained and remaining else None
    baseline = board.baseline
    state = {
        "version": version or state_version(search),
        "base": {"token": board.token, "seq": len(board.points)},
        "delta": delta,
        "aggregated": board.aggregated,
        "search": {
            "id": search.pk,
            "name": search.name,
            "status": search.status,
            "error": search.error,
            "objective": search.objective,
            "metric": search.metric,
            "direction": search.direction,
            "strategy": search.policy.strategy,
            "note": search.note,
            "dataset": search.dataset,
            "generation": max(search.current_generation, 0),  # counted from 0, like every number in the API
            "generations": search.generations,
            "population": search.population,
            "combinations": search.space.combinations,
            "elapsed_seconds": elapsed,
            "started_at": iso(search.started_at),
            "finished_at": iso(search.finished_at),
            "eta_seconds": eta,
        },
        "progress": progress,
        "best": best,
        "improvement_over_first_generation": (best["fitness"] - first_best)
        if best and first_best is not None
        else None,
        "baseline": {"id": baseline.id, "fitness": baseline.fitness} if baseline else None,
        "improvement_over_baseline": (best["fitness"] - baseline.fitness) if best and baseline else None,
        "generations": lines,
        "traits": [{"name": t.name, "type": t.kind} for t in search.space],
        "histograms": board.histograms(changed),
        "early_stopping": _early_stopping(search, board),
        "rungs": _rungs(search, board),
        "importance": board.trait_importance(final=not search.is_active),
        "fronts": {cost: front.rows() for cost, front in board.fronts.items()},
        "final": final_results(search),
        "leaderboard": leaderboard,
        "leaderboard_total": board.ranked_count,
        "workers": _workers(running, board.done_by_worker, now),
        # Machines that cannot train this search (its dataset is not there) and leave it to the others.
        "unable_hosts": [
            {"host": host, "worker": worker, "reason": reason, "found_at": iso(found_at)}
            for host, worker, reason, found_at in search.unable_hosts.order_by("host").values_list(
                "host", "worker", "reason", "found_at"
            )
        ],
    }
    if board.aggregated:
        # A client whose copy still drew points gets every generation's density at once.
        # So does one whose copy has the fitness bins as they were before they last widened.
        fresh = delta and start > max(dashboard.AGGREGATE_ABOVE, board.scale_moved_at)
        since_densities = changed if fresh else None
        state["points"] = None
        state["density"] = {
            "fitness_bins": dashboard.FITNESS_BINS,
            "fitness_range": list(board.fitness_scale.range),
            "traits": board.densities(),
            "generations": board.fitness_density(since_densities),
        }
    else:
        state["points"] = board.point_columns(start)
    return state


_NOT_ENDED_OR_COPIES = (Entity.Status.CANCELLED, Entity.Status.CACHED)


def _progress(search: Search, board: dashboard.Board) -> dict[str, Any]:
    """``search_progress``'s counts, the ended ones from the board and the rest in one small query."""
    waiting_copy = Q(status=Entity.Status.CACHED, finished_at__isnull=True)
    open_ = (
        # An index range: what waits, runs or was cancelled, and the cached copies (none with "rebreed").
        Entity.objects.of_the_search()
        .filter(search=search, status__in=(*Entity.PENDING, *_NOT_ENDED_OR_COPIES))
        .aggregate(
            queued=Count("id", filter=Q(status=Entity.Status.QUEUED) | waiting_copy),
            # Paused at a rung of its bracket, for its generation to reach it too (``promotion: bracket``).
            waiting=Count("id", filter=Q(status=Entity.Status.WAITING)),
            running=Count("id", filter=Q(status=Entity.Status.RUNNING)),
            cancelled=Count("id", filter=Q(status=Entity.Status.CANCELLED)),
        )
    )
    counts = board.status_counts
    ended = {name: counts[name] for name in ("done", "stopped", "failed", "cached")}
    return {
        **open_,
        **ended,
        "ended": sum(ended.values()),
        "total": search.candidate_total,
        "best_fitness": board.best_fitness,
    }


def _rung_epochs(search: Search) -> list[int] | None:
    """The rungs the dashboard counts: the stopping rule's, then the last epoch (None: no early stopping)."""
    rule = search.stopping_rule
    epochs = search.settings.training.epochs
    return None if rule is None else [*rule.rungs(epochs, most=12), epochs]  # every rung of a readable chart


def _rungs(search: Search, board: dashboard.Board) -> dict[str, Any] | None:
    """The rung ladder's rows, with the share of the images each rung's epoch trained on."""
    if board.rungs is None:
        return None
    rule = search.stopping_rule
    return {**board.rungs.rows(), "shares": [rule.share(epoch) if rule else 1.0 for epoch in board.rungs.epochs]}


def _early_stopping(search: Search, board: dashboard.Board) -> dict[str, Any] | None:
    """What early stopping has saved: the epochs not trained, and about how long they would have taken."""
    rule = search.stopping_rule
    if rule is None:
        return None
    early = board.early
    epochs_trained: float = early["epochs"]
    epochs_full: float = search.settings.training.epochs * early["trained"]
    if rule.images_grow() and board.rungs is not None:  # in passes over the images; a measurement trains to the end
        ladder, full = board.rungs, rule.passes(search.settings.training.epochs)
        measured = early["trained"] - (ladder.reached or [0])[0]
        epochs_trained = round(rule.paid(ladder.epochs, ladder.reached) + measured * full, 1)
        epochs_full = round(early["trained"] * full, 1)
    per_epoch = early["seconds"] / epochs_trained if epochs_trained else 0.0
    return {
        "rule": rule.to_spec(),
        "stopped": early["stopped"],
        "epochs_trained": epochs_trained,
        "epochs_saved": round(epochs_full - epochs_trained, 1),
        "unit": "passes over the images" if rule.images_grow() else "epochs",
        "share_saved": (epochs_full - epochs_trained) / epochs_full if epochs_full else 0.0,
        "seconds_saved": (epochs_full - epochs_trained) * per_epoch,
    }


def _workers(running, done_by_worker: Counter, now) -> list[dict[str, Any]]:
    busy = {worker: (pk, gpu, started) for pk, worker, gpu, started in running}
    names = sorted(set(done_by_worker) | set(busy))
    workers = []
    for name in names:
        pk, gpu, started = busy.get(name, (None, "", None))
        workers.append(
            {
                "worker": name,
                "gpu": gpu,
                "entity": pk,
                "running_seconds": (now - started).total_seconds() if started else None,
                "done": done_by_worker.get(name, 0),
            }
        )
    return workers
