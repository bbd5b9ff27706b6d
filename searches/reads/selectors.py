"""Every read the commands, pages and API need, each with a bounded number of queries.

Kept as one module on purpose: these are independent functions, each a few queries long,
and the query bounds the tests pin are easiest to review with every read in one place. The
live dashboard's reads (its version, its board, its state and deltas) live apart, in
``searches.live``; which candidate is the best, in ``best.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q

from searches.clock import db_now
from searches.models import Entity, Generation, Search
from searches.reads.best import best_entity
from searches.spec.catalog import TUTORIAL_GENOME


def generation_summaries(search: Search) -> list[dict[str, Any]]:
    """One row per generation: its numbers, statistics and entity counts as they are now (one query)."""
    candidate = ~Q(entities__status=Entity.Status.PARENT_ONLY) & ~Q(entities__origin__in=Entity.MEASUREMENTS)
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
        .of_the_search()  # the final trainings are shown apart, in its final results
        .aggregate(
            queued=Count("id", filter=Q(status=Entity.Status.QUEUED) | waiting_copy),
            # Paused at a rung of its bracket, for its generation to reach it too (``promotion: bracket``).
            waiting=Count("id", filter=Q(status=Entity.Status.WAITING)),
            running=Count("id", filter=Q(status=Entity.Status.RUNNING)),
            done=Count("id", filter=Q(status=Entity.Status.DONE)),
            stopped=Count("id", filter=Q(status=Entity.Status.STOPPED)),
            failed=Count("id", filter=Q(status=Entity.Status.FAILED)),
            cached=Count("id", filter=Q(status=Entity.Status.CACHED, finished_at__isnull=False)),
            cancelled=Count("id", filter=Q(status=Entity.Status.CANCELLED)),
        )
    )
    best = Search.objects.filter(pk=search.pk).values_list("best_fitness", flat=True).first()
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
            ended=Count("entities", filter=Entity.has_ended("entities__") & ~Q(entities__origin=Entity.Origin.FINAL)),
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
                "best": search.best_fitness,
                "duration": (end - search.started_at).total_seconds() if search.started_at else None,
            }
        )
    return rows


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
        Entity.objects.finals()
        .filter(search=search)
        .select_related("replicate_of")
        .annotate(model_bytes=F("final_model__size"))
        .order_by("index")
    )
    baseline = None
    if any(final.replicate_of_id is None for final in finals):
        baseline = (
            Entity.objects.baselines()
            .filter(search=search, status=Entity.Status.DONE)
            .values_list("fitness", "accuracy")
            .first()
        )
    picked = max(
        (f for f in finals if f.replicate_of_id and f.status == Entity.Status.DONE and f.accuracy is not None),
        key=lambda f: f.accuracy,
        default=None,
    )  # fmt: skip  (the first of equals: ``finals`` are in the search's ranking order)
    crowned = best_entity(search) if finals else None  # two queries, only once there are final trainings
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
                "final_validation_accuracy": final.accuracy,
                "test_accuracy": final.test_accuracy,
                "test_loss": final.test_loss,
                # best.keras is this one: the best on the images held out of the final trainings
                "picked": picked is not None and final.pk == picked.pk,
                # the search's own choice (its best by the short trainings): the crown held if picked
                "crowned": crowned is not None and original is not None and original.pk == crowned.pk,
                "parameter_count": final.parameter_count,
                "train_seconds": final.train_seconds,
                "trained_images": final.timings.get("trained_images"),
                "validation_images": final.timings.get("validation_images"),
                "test_images": final.timings.get("test_images"),
                "worker": final.worker,
                "gpu": final.gpu,
                "model_bytes": final.model_bytes,
            }
        )
    return rows
