"""Every read the commands, pages and API need, each with a bounded number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q

import gaweb

from .genetics import Space
from .models import Entity, Generation, Search


def generation_summaries(search: Search) -> list[dict[str, Any]]:
    """One row per generation: its numbers, statistics and entity counts (one query)."""
    rows = (
        Generation.objects.filter(search=search)
        .annotate(
            candidates=Count("entities", filter=~Q(entities__status=Entity.Status.PARENT_ONLY)),
            immigrants=Count("entities", filter=Q(entities__status=Entity.Status.PARENT_ONLY)),
        )
        .order_by("number")
    )
    return [
        {
            "number": g.number,
            "created_at": _iso(g.created_at),
            "finished_at": _iso(g.finished_at),
            "candidates": g.candidates,
            "immigrants": g.immigrants,
            "best_fitness": g.best_fitness,
            "mean_fitness": g.mean_fitness,
            "done": g.done_count,
            "failed": g.failed_count,
            "cached": g.cached_count,
        }
        for g in rows
    ]


def search_export(search: Search) -> dict[str, Any]:
    """Everything about a search as plain JSON data: spec, generations and every entity."""
    entities = (
        Entity.objects.filter(search=search)
        .order_by("generation__number", "index")
        .values(
            "id",
            "generation__number",
            "index",
            "origin",
            "parent_a_id",
            "parent_b_id",
            "genome",
            "genome_hash",
            "inheritance",
            "status",
            "fitness",
            "accuracy",
            "parameter_count",
            "train_seconds",
            "timings",
            "worker",
            "gpu",
            "attempts",
            "error",
            "cached_from_id",
            "history",
        )
    )
    return {
        "gaweb_version": gaweb.__version__,
        "search": {
            "id": search.pk,
            "name": search.name,
            "status": search.status,
            "error": search.error,
            "seed": search.seed,
            "dataset": search.dataset,
            "objective": search.objective,
            "execution": search.execution,
            "owner": search.owner.get_username() if search.owner_id else None,
            "created_at": _iso(search.created_at),
            "started_at": _iso(search.started_at),
            "finished_at": _iso(search.finished_at),
            "combinations": Space.from_spec(search.spec["traits"]).combinations,
        },
        "spec": search.spec,
        "generations": generation_summaries(search),
        "entities": [_entity_row(row) for row in entities],
    }


def _entity_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "generation": row["generation__number"],
        "index": row["index"],
        "origin": row["origin"],
        "parents": [pk for pk in (row["parent_a_id"], row["parent_b_id"]) if pk is not None],
        "genome": row["genome"],
        "genome_hash": row["genome_hash"],
        "inheritance": row["inheritance"],
        "status": row["status"],
        "fitness": row["fitness"],
        "accuracy": row["accuracy"],
        "parameter_count": row["parameter_count"],
        "train_seconds": row["train_seconds"],
        "timings": row["timings"],
        "worker": row["worker"],
        "gpu": row["gpu"],
        "attempts": row["attempts"],
        "error": row["error"],
        "cached_from": row["cached_from_id"],
        "history": row["history"],
    }


def best_entity(search: Search) -> Entity | None:
    """The fittest trained entity (cached copies excluded: they repeat an original)."""
    return (
        Entity.objects.filter(search=search, status=Entity.Status.DONE)
        .order_by("-fitness", "generation__number", "index")
        .first()
    )


def _iso(moment) -> str | None:
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
    """Counts of the search's candidates by status, and the best fitness so far (one query)."""
    counts = (
        Entity.objects.filter(search=search)
        .exclude(status=Entity.Status.PARENT_ONLY)
        .aggregate(
            queued=Count("id", filter=Q(status=Entity.Status.QUEUED)),
            running=Count("id", filter=Q(status=Entity.Status.RUNNING)),
            done=Count("id", filter=Q(status=Entity.Status.DONE)),
            failed=Count("id", filter=Q(status=Entity.Status.FAILED)),
            cached=Count("id", filter=Q(status=Entity.Status.CACHED)),
            best=Max("fitness"),
        )
    )
    best = counts.pop("best")
    return {
        **counts,
        "ended": counts["done"] + counts["failed"] + counts["cached"],
        "total": search.population * search.generations,
        "best_fitness": best,
    }
