"""Every read the commands, pages and API need, each with a bounded number of queries.

About 400 lines, kept as one module on purpose: these are independent functions, each a few
queries long, and the query bounds the tests pin (``test_dashboard_queries_are_bounded``) are
easiest to review with every read in one place. The dashboard's chart arithmetic lives apart,
in ``dashboard.py``.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Max, Q

from . import dashboard
from .catalog import TUTORIAL_GENOME
from .clock import db_now
from .models import Entity, Generation, Search


def generation_summaries(search: Search) -> list[dict[str, Any]]:
    """One row per generation: its numbers, statistics and entity counts as they are now (one query)."""
    candidate = ~Q(entities__status=Entity.Status.PARENT_ONLY) & ~Q(
        entities__origin__in=(Entity.Origin.BASELINE, Entity.Origin.CONFIRMATION)
    )
    ended_copy = Q(entities__status=Entity.Status.CACHED, entities__finished_at__isnull=False)
    rows = (
        Generation.objects.filter(search=search)
        .annotate(
            candidates=Count("entities", filter=candidate),
            immigrants=Count("entities", filter=Q(entities__status=Entity.Status.PARENT_ONLY)),
            done=Count("entities", filter=candidate & Q(entities__status=Entity.Status.DONE)),
            failed=Count("entities", filter=candidate & Q(entities__status=Entity.Status.FAILED)),
            stopped=Count("entities", filter=candidate & Q(entities__status=Entity.Status.STOPPED)),
            cached=Count("entities", filter=candidate & ended_copy),
        )
        .order_by("number")
    )
    return [
        {
            "number": g.number,
            "created_at": iso(g.created_at),
            "finished_at": iso(g.finished_at),
            "candidates": g.candidates,
            "immigrants": g.immigrants,
            "best_fitness": g.best_fitness,
            "mean_fitness": g.mean_fitness,
            "done": g.done,
            "failed": g.failed,
            "stopped": g.stopped,
            "cached": g.cached,
        }
        for g in rows
    ]


def best_entity(search: Search) -> Entity | None:
    """The fittest candidate trained to its last epoch (see ``ranked_best``)."""
    best = ranked_best(search, 1)
    return best[0] if best else None


def ranked_best(search: Search, count: int) -> list[Entity]:
    """The ``count`` fittest distinct candidates trained to their last epoch, best first.

    Cached copies repeat an original; the baseline is a reference, not something the search
    found; confirmations and final trainings measure candidates again. A candidate confirmed
    by a second training (``ga.confirm``) ranks by the mean of its trainings, which it
    carries as ``trainings`` (its fitness, then its confirmations'). Ties go to the older.
    """
    done = Entity.objects.filter(search=search, status=Entity.Status.DONE).exclude(
        origin__in=(Entity.Origin.BASELINE, Entity.Origin.FINAL)
    )
    confirmed: dict[int, list[float]] = {}
    for original, fitness in done.filter(origin=Entity.Origin.CONFIRMATION).values_list("replicate_of_id", "fitness"):
        confirmed.setdefault(original, []).append(fitness)
    originals = done.exclude(origin=Entity.Origin.CONFIRMATION).order_by("-fitness", "generation__number", "index")
    # Beyond the best len(confirmed) + count by a single training, none can be among the best count.
    candidates = {e.pk: e for e in originals.select_related("generation")[: len(confirmed) + count]}
    candidates.update((e.pk, e) for e in originals.filter(pk__in=confirmed).select_related("generation"))
    for entity in candidates.values():
        entity.trainings = [entity.fitness, *confirmed.get(entity.pk, [])]
    ranked = sorted(
        candidates.values(), key=lambda e: (-statistics.fmean(e.trainings), e.generation.number, e.index)
    )
    return ranked[:count]


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def next_queued_entity_id(search_id: int) -> int | None:
    """The first queued entity of a search, in generation and index order."""
    return (
        Entity.objects.filter(search_id=search_id, status=Entity.Status.QUEUED)
        .order_by("generation__number", "index")
        .values_list("id", flat=True)
        .first()
    )


def ended_generations(search_id: int, *, exclude: set[int]) -> list[Generation]:
    return list(
        Generation.objects.filter(search_id=search_id, finished_at__isnull=False)
        .exclude(number__in=exclude)
        .order_by("number")
    )


def search_progress(search: Search) -> dict[str, Any]:
    """Counts of the search's candidates by status, and the best fitness so far (one query).

    A cached copy of a genome still in training waits for it: it counts as queued until it ends.
    ``ended`` counts the candidates with a result (or a failure); ``cancelled`` the ones never
    trained because the search ended first.
    """
    waiting_copy = Q(status=Entity.Status.CACHED, finished_at__isnull=True)
    counts = (
        Entity.objects.filter(search=search)
        .exclude(status=Entity.Status.PARENT_ONLY)
        .exclude(origin=Entity.Origin.FINAL)  # after the search: shown apart, in its final results
        .aggregate(
            queued=Count("id", filter=Q(status=Entity.Status.QUEUED) | waiting_copy),
            running=Count("id", filter=Q(status=Entity.Status.RUNNING)),
            done=Count("id", filter=Q(status=Entity.Status.DONE)),
            stopped=Count("id", filter=Q(status=Entity.Status.STOPPED)),
            failed=Count("id", filter=Q(status=Entity.Status.FAILED)),
            cached=Count("id", filter=Q(status=Entity.Status.CACHED, finished_at__isnull=False)),
            cancelled=Count("id", filter=Q(status=Entity.Status.CANCELLED)),
            best=Max("fitness", filter=~Q(origin=Entity.Origin.BASELINE) & ~Q(status=Entity.Status.STOPPED)),
        )
    )
    best = counts.pop("best")
    return {
        **counts,
        "ended": counts["done"] + counts["stopped"] + counts["failed"] + counts["cached"],
        "total": search.candidate_total,
        "best_fitness": best,
    }


def search_rows(*, limit: int = 200) -> list[dict[str, Any]]:
    """The searches for the list page, newest first, with progress and best fitness (one query)."""
    searches = (
        Search.objects.select_related("owner")
        .annotate(
            ended=Count(
                "entities", filter=Entity.has_ended("entities__") & ~Q(entities__origin=Entity.Origin.FINAL)
            ),
            # the baseline is a reference, never the search's best
            best=Max("entities__fitness", filter=~Q(entities__origin=Entity.Origin.BASELINE)),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    now = db_now()
    rows = []
    for search in searches:
        total = search.candidate_total
        end = search.finished_at or now
        rows.append(
            {
                "search": search,
                "ended": search.ended,
                "total": total,
                "percent": round(100 * search.ended / total) if total else 0,
                "best": search.best,
                "duration": (end - search.started_at).total_seconds() if search.started_at else None,
            }
        )
    return rows


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


def _ended(search: Search):
    return Entity.objects.filter(Entity.has_ended(), search=search).exclude(origin=Entity.Origin.FINAL)


def _fold(board: dashboard.Board, rows) -> None:
    for *fields, finished in rows.values_list(*_POINT_FIELDS):
        board.add(dashboard.Point(*fields))
        if finished is not None and (board.newest_end is None or finished > board.newest_end):
            board.newest_end = finished


def board_catch_up(search: Search, board: dashboard.Board | None = None) -> dashboard.Board:
    """The search's dashboard board with every candidate that has ended folded in (one query).

    Given the board of an earlier look, only what ended since is read and folded in. A board
    is built afresh when there is none, and when the search has ended since it was built, so
    that an ended search's figures are exact whatever happened while it ran.
    """
    if board is None or (board.search_status != search.status and not search.is_active):
        board = dashboard.Board(search.space, search.generations)
        _fold(board, _ended(search).order_by("finished_at", "id"))
    elif board.newest_end is None:
        _fold(board, _ended(search))
    else:
        # The overlap is read as ids alone (an index range); only the new ones are read whole.
        since = board.newest_end - CATCH_UP_OVERLAP
        recent = _ended(search).filter(finished_at__gte=since)  # every end sets finished_at
        new = [pk for pk in recent.values_list("id", flat=True) if pk not in board.ids]
        if new:
            _fold(board, Entity.objects.filter(pk__in=new))
    board.search_status = search.status
    return board


def leaderboard_page(search: Search, *, offset: int) -> dict[str, Any]:
    """One page of the leaderboard beyond the state's first (the dashboard pages through them all)."""
    board = board_catch_up(search)
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
    delta = since is not None and since[0] == board.token and 0 <= since[1] <= len(board.points)
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
        "final": final_results(search),
        "leaderboard": leaderboard,
        "leaderboard_total": board.ranked_count,
        "workers": _workers(running, board.done_by_worker, now),
    }
    if board.aggregated:
        # A client whose copy still drew points gets every generation's density at once.
        since_densities = changed if delta and start > dashboard.AGGREGATE_ABOVE else None
        state["points"] = None
        state["density"] = {
            "fitness_bins": dashboard.FITNESS_BINS,
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
        Entity.objects.filter(search=search, status__in=(*Entity.PENDING, *_NOT_ENDED_OR_COPIES))
        .exclude(origin=Entity.Origin.FINAL)
        .aggregate(
            queued=Count("id", filter=Q(status=Entity.Status.QUEUED) | waiting_copy),
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


def _early_stopping(search: Search, board: dashboard.Board) -> dict[str, Any] | None:
    """What early stopping has saved: the epochs not trained, and about how long they would have taken."""
    rule = search.stopping_rule
    if rule is None:
        return None
    early = board.early
    epochs_trained = early["epochs"]
    epochs_full = search.spec["training"]["epochs"] * early["trained"]
    per_epoch = early["seconds"] / epochs_trained if epochs_trained else 0.0
    return {
        "rule": rule.to_spec(),
        "stopped": early["stopped"],
        "epochs_trained": epochs_trained,
        "epochs_saved": epochs_full - epochs_trained,
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


def entity_detail(entity: Entity) -> dict[str, Any]:
    """One entity for its detail panel: genome, parents, inheritance, learning curve, worker."""
    parents = {
        p.pk: p
        for p in Entity.objects.filter(
            pk__in=[pk for pk in (entity.parent_a_id, entity.parent_b_id) if pk]
        ).select_related("generation")
    }

    def parent(pk):
        if pk is None or pk not in parents:
            return None
        p = parents[pk]
        return {
            "id": p.pk,
            "generation": p.generation.number,
            "origin": p.origin,
            "fitness": p.fitness,
            "genome": p.genome,
        }

    return {
        "id": entity.pk,
        "search": entity.search_id,
        "generation": entity.generation.number,
        "index": entity.index,
        "origin": entity.origin,
        "status": entity.status,
        "genome": entity.genome,
        "inheritance": entity.inheritance,
        "parents": {"a": parent(entity.parent_a_id), "b": parent(entity.parent_b_id)},
        "cached_from": entity.cached_from_id,
        "fitness": entity.fitness,
        "accuracy": entity.accuracy,
        "parameter_count": entity.parameter_count,
        "train_seconds": entity.train_seconds,
        "worker": entity.worker,
        "gpu": entity.gpu,
        "attempts": entity.attempts,
        "error": entity.error,
        "history": entity.history,
        "timings": entity.timings,
    }


def final_results(search: Search) -> list[dict[str, Any]]:
    """The final trainings of a search, best first (the tutorial's network last): the reference
    write-up's table of its best against the tutorial's values, with honest test accuracies."""
    # One query (the model's size joined in, never its bytes); a second only for the tutorial's row.
    finals = list(
        Entity.objects.filter(search=search, origin=Entity.Origin.FINAL)
        .select_related("replicate_of")
        .annotate(model_bytes=F("final_model__size"))
        .order_by("index")
    )
    baseline = None
    if any(final.replicate_of_id is None for final in finals):
        baseline = (
            Entity.objects.filter(search=search, origin=Entity.Origin.BASELINE, status=Entity.Status.DONE)
            .values_list("fitness", "accuracy")
            .first()
        )
    rows = []
    for rank, final in enumerate(finals, start=1):
        original = final.replicate_of
        tutorial = original is None
        search_figures = (baseline or (None, None)) if tutorial else (original.fitness, original.accuracy)
        rows.append(
            {
                "id": final.pk,
                "rank": None if tutorial else rank,
                "tutorial": tutorial,
                "of": None if tutorial else original.pk,
                "status": final.status,
                "error": final.error,
                "genome": final.genome,
                "differs_from_tutorial": sorted(
                    name for name, value in final.genome.items() if TUTORIAL_GENOME.get(name) != value
                ),
                "search_fitness": search_figures[0],
                "validation_accuracy": search_figures[1],
                "test_accuracy": final.test_accuracy,
                "test_loss": final.test_loss,
                "parameter_count": final.parameter_count,
                "train_seconds": final.train_seconds,
                "trained_images": final.timings.get("trained_images"),
                "test_images": final.timings.get("test_images"),
                "worker": final.worker,
                "gpu": final.gpu,
                "model_bytes": final.model_bytes,
            }
        )
    return rows
