"""Everything that leaves the system, in one place: the whole search as JSON, its entities as CSV,
and its best configuration (``best.json``, and ``best.py``, a script that builds the network).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from importlib import metadata
from typing import IO, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import BinaryField
from django.db.models.functions import Substr

from searches.exports import best_py as scripts
from searches.models import Entity, FinalModel, Search
from searches.reads.best import best_configuration, pareto_front
from searches.reads.importance import trait_importance
from searches.reads.selectors import final_results, generation_summaries, iso
from searches.spec.catalog import NAMED_DATASETS
from searches.spec.search import objective_values


class ExportUnavailable(Exception):
    """This export cannot be made for this search; the message says why."""


# --- The whole search -------------------------------------------------------------------

_ENTITY_FIELDS = (
    "id", "generation__number", "index", "origin", "parent_a_id", "parent_b_id", "genome", "genome_hash",
    "inheritance", "rebreeds", "status", "fitness", "accuracy", "parameter_count", "train_seconds", "timings", "worker",
    "gpu", "attempts", "error", "cached_from_id", "history", "epochs", "started_at", "finished_at",
)  # fmt: skip


def search_export(search: Search) -> dict[str, Any]:
    """Everything about a search as plain JSON data: spec, generations and every entity."""
    return {**_export_head(search), "entities": list(_entity_rows(search)), "final": final_results(search)}


def search_export_chunks(search: Search) -> Iterator[str]:
    """``search_export`` as JSON text, a piece at a time: the entities are read and written a few
    thousand at a time, so that exporting a search of 100,000 holds none of it whole in memory."""
    head = json.dumps(_export_head(search), cls=DjangoJSONEncoder)
    yield head[:-1] + ', "entities": ['
    batch: list[str] = []
    first = True
    for row in _entity_rows(search):
        batch.append(json.dumps(row, cls=DjangoJSONEncoder))
        if len(batch) == EXPORT_BATCH:
            yield ("" if first else ", ") + ", ".join(batch)
            first, batch = False, []
    if batch:
        yield ("" if first else ", ") + ", ".join(batch)
    yield '], "final": ' + json.dumps(final_results(search), cls=DjangoJSONEncoder) + "}"


# Entities read (and written) at a time by the streamed exports.
EXPORT_BATCH = 2000


def _export_head(search: Search) -> dict[str, Any]:
    return {
        "gaweb_version": settings.GAWEB_VERSION,
        "search": {
            "id": search.pk,
            "name": search.name,
            "status": search.status,
            "error": search.error,
            "seed": search.seed,
            "dataset": search.dataset,
            "objective": search.objective,
            "metric": search.metric,
            "direction": search.direction,
            "strategy": search.policy.strategy,
            "execution": search.execution,
            "note": search.note,
            "owner": search.owner.get_username() if search.owner_id else None,
            "created_at": iso(search.created_at),
            "started_at": iso(search.started_at),
            "finished_at": iso(search.finished_at),
            "combinations": search.space.combinations,
        },
        "spec": search.spec,
        "generations": generation_summaries(search),
        "importance": trait_importance(search),
    }


def _entity_rows(search: Search) -> Iterator[dict[str, Any]]:
    entities = Entity.objects.filter(search=search).order_by("generation__number", "index").values(*_ENTITY_FIELDS)
    return (_entity_row(row) for row in entities.iterator(chunk_size=EXPORT_BATCH))


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
        "rebreeds": row["rebreeds"],
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
        "epochs": row["epochs"],
        "started_at": iso(row["started_at"]),
        "finished_at": iso(row["finished_at"]),
    }


# --- Entities as CSV --------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "generation", "index", "origin", "status", "fitness", "accuracy", "parameter_count",
    "train_seconds", "worker", "gpu", "attempts", "cached_from", "error",
)  # fmt: skip


def write_entities_csv(search: Search, out: IO[str]) -> None:
    """One row per entity, one column per trait; text a spreadsheet would run is made inert."""
    for line in entities_csv_lines(search):
        out.write(line)


def entities_csv_lines(search: Search) -> Iterator[str]:
    """``entities.csv`` a line at a time, the entities read a few thousand at a time."""
    traits = search.space.names
    line = _CsvLine()
    yield line([*CSV_COLUMNS, "parent_a", "parent_b", *traits])
    for entity in _entity_rows(search):
        parents = (entity["parents"] + [None, None])[:2]
        cells = [entity[c] for c in CSV_COLUMNS] + parents + [entity["genome"].get(t) for t in traits]
        yield line([inert_cell(cell) for cell in cells])


class _CsvLine:
    """One CSV row as text (the csv module writes to a file; this is a file of one line)."""

    def __init__(self):
        self._text = ""
        self._writer = csv.writer(self)

    def write(self, text: str) -> None:
        self._text += text

    def __call__(self, cells) -> str:
        self._text = ""
        self._writer.writerow(cells)
        return self._text


def inert_cell(cell):
    """A text cell that a spreadsheet would run as a formula, made plain text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


# --- The best configuration ---------------------------------------------------------------


def best_script(search: Search, best: Entity) -> str:
    """``best.py``: see ``searches.exports.best_py``."""
    if search.objective != "keras":
        raise ExportUnavailable("best.py builds a Keras network: this search's objective is not keras")
    facts = dataset_facts(search)
    if facts is None:
        raise ExportUnavailable(
            "the input shape and classes of this folder dataset are not known yet: no worker has reported them"
        )
    return scripts.best_script(search, best, facts, versions())


def dataset_facts(search: Search) -> dict[str, Any] | None:
    """Input shape and class names: as a worker reported them, or as the catalog knows a named dataset."""
    return search.dataset_info or NAMED_DATASETS.get(search.dataset)


def best_model(search: Search) -> FinalModel:
    """``best.keras``: the final training's pick (the best on the images held out of the final
    trainings), or, with none held out, the model of the search's crowned candidate."""
    best = best_configuration(search)
    final = (
        FinalModel.objects.defer("data")
        .filter(entity__search=search, entity__origin=Entity.Origin.FINAL, entity__replicate_of=best)
        .order_by("-entity__pk")
        .first()
        if best
        else None
    )
    if final is None:
        raise ExportUnavailable("no trained model yet: train the best on all data first (the dashboard's button)")
    return final


# A stored model is read from the database this much at a time, as the download is sent.
MODEL_CHUNK = 4 * 1024 * 1024


def model_chunks(model: FinalModel) -> Iterator[bytes]:
    """A stored model's bytes, ``MODEL_CHUNK`` at a time: a download of a 500 MB model never holds it whole."""
    stored = FinalModel.objects.filter(pk=model.pk)
    for start in range(0, model.size, MODEL_CHUNK):
        part = Substr("data", start + 1, MODEL_CHUNK, output_field=BinaryField())
        yield bytes(stored.annotate(part=part).values_list("part", flat=True).get())


def best_document(search: Search, best: Entity) -> dict[str, Any]:
    """``best.json``: the best entity's genome and figures, what reproduces it, and its final training."""
    facts = dataset_facts(search)
    finals = [row for row in final_results(search) if row["of"] == best.pk or row["tutorial"]]
    return {
        "search": {"id": search.pk, "name": search.name, "status": search.status, "strategy": search.policy.strategy},
        "entity": best.pk,
        # "final training": the best of the final trainings on the images they held out (the same
        # network as best.keras); "search": the search's own best, before any final training.
        "chosen_by": "final training" if any(row["picked"] for row in finals) else "search",
        "generation": best.generation.number,
        "genome": best.genome,
        "fitness": best.fitness,
        # What the fitness is: the objective's metric (minimised: its negative), less any size penalty.
        "metric": search.metric,
        "direction": search.direction,
        "accuracy": best.accuracy,
        "parameter_count": best.parameter_count,
        # ga.confirm: its fitness in each training (the first, then from other initial weights)
        "trainings": getattr(best, "trainings", [best.fitness]),
        "seed": search.seed,
        "spec": search.spec,
        # The order of the model's outputs (best.keras) and of best.py's classes.
        "class_names": facts["class_names"] if facts else None,
        # Trained at last on every training image and measured on the test split (the tutorial's network too).
        "final": {
            "best": next((row for row in finals if not row["tutorial"]), None),
            "tutorial": next((row for row in finals if row["tutorial"]), None),
        },
        # With several objectives (fitness.objectives): every candidate no other beats in all of them.
        **(
            {"front": [_front_row(search, entity) for entity in pareto_front(search)]}
            if search.settings.objectives
            else {}
        ),
        "versions": versions(),
    }


def _front_row(search: Search, entity: Entity) -> dict[str, Any]:
    measured = objective_values(
        search.settings.objectives, fitness=entity.fitness, parameter_count=entity.parameter_count,
        train_seconds=entity.train_seconds,
    )  # fmt: skip
    return {
        "entity": entity.pk,
        "generation": entity.generation.number,
        "genome": entity.genome,
        # Each objective's value as measured (a minimised one is not negated here).
        "objectives": {
            name: None if not math.isfinite(value) else -value if name.startswith("-") else value
            for name, value in zip(search.settings.objectives, measured, strict=True)
        },
        "fitness": entity.fitness,
        "accuracy": entity.accuracy,
        "parameter_count": entity.parameter_count,
        "train_seconds": entity.train_seconds,
    }


def versions() -> dict[str, str | None]:
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {"gaweb": settings.GAWEB_VERSION, "tensorflow": version("tensorflow"), "keras": version("keras")}
