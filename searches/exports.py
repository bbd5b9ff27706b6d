"""Everything that leaves the system, in one place: the whole search as JSON, its entities as CSV,
and its best configuration (``best.json``, and ``best.py``, a script that builds the network).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from importlib import metadata
from typing import IO, Any

from django.conf import settings

import gaweb

from .catalog import NAMED_DATASETS, TUTORIAL_GENOME
from .models import Entity, Search
from .selectors import generation_summaries, iso


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
    entities = Entity.objects.filter(search=search).order_by("generation__number", "index").values(*_ENTITY_FIELDS)
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
    traits = search.space.names
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, "parent_a", "parent_b", *traits])
    for entity in search_export(search)["entities"]:
        parents = (entity["parents"] + [None, None])[:2]
        cells = [entity[c] for c in CSV_COLUMNS] + parents + [entity["genome"].get(t) for t in traits]
        writer.writerow([inert_cell(cell) for cell in cells])


def inert_cell(cell):
    """A text cell that a spreadsheet would run as a formula, made plain text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


# --- The best configuration ---------------------------------------------------------------


def best_document(search: Search, best: Entity) -> dict[str, Any]:
    """``best.json``: the best entity's genome and figures, and what reproduces it."""
    return {
        "search": {"id": search.pk, "name": search.name, "status": search.status, "strategy": search.policy.strategy},
        "entity": best.pk,
        "generation": best.generation.number,
        "genome": best.genome,
        "fitness": best.fitness,
        "accuracy": best.accuracy,
        "parameter_count": best.parameter_count,
        # ga.confirm: its fitness in each training (the first, then from other initial weights)
        "trainings": getattr(best, "trainings", [best.fitness]),
        "seed": search.seed,
        "spec": search.spec,
        "versions": versions(),
    }


# best.py must build exactly the network the workers trained: it carries the builder's own
# source, read as text (the web process never imports TensorFlow or the workers' code).
BUILDER_SOURCE = settings.BASE_DIR / "workers" / "training" / "builder.py"
CATALOG_IMPORT = "from searches.catalog import TUTORIAL_GENOME\n"


def best_script(search: Search, best: Entity) -> str:
    """``best.py``: a standalone script that builds the best entity's Keras network.

    Values enter the file only as JSON text inside a Python string literal made by
    ``repr``, so no trait name or value can become code.
    """
    if search.objective != "keras":
        raise ExportUnavailable("best.py builds a Keras network: this search's objective is not keras")
    facts = dataset_facts(search)
    if facts is None:
        raise ExportUnavailable(
            "the input shape and classes of this folder dataset are not known yet: no worker has reported them"
        )
    description = {
        "search": search.pk,
        "entity": best.pk,
        "fitness": best.fitness,
        "accuracy": best.accuracy,
        "parameter_count": best.parameter_count,
        "dataset": search.dataset,
        "class_names": facts["class_names"],
        "epochs": search.spec["training"]["epochs"],
        "seed": search.seed,
        "versions": versions(),
    }
    return network_script(best.genome, facts["input_shape"], len(facts["class_names"]), description)


def dataset_facts(search: Search) -> dict[str, Any] | None:
    """Input shape and class names: as a worker reported them, or as the catalog knows a named dataset."""
    return search.dataset_info or NAMED_DATASETS.get(search.dataset)


def network_script(genome: Mapping[str, Any], input_shape, num_classes: int, description: Mapping[str, Any]) -> str:
    """The text of best.py for ``genome`` (see ``best_script``)."""
    source = BUILDER_SOURCE.read_text()
    if CATALOG_IMPORT not in source:
        raise RuntimeError("the builder no longer imports the catalog as expected")
    constants = (
        "import json\n\n"
        f"TUTORIAL_GENOME = json.loads({json.dumps(TUTORIAL_GENOME)!r})\n"
        f"GENOME = json.loads({json.dumps(dict(genome))!r})\n"
        f"INPUT_SHAPE = tuple(json.loads({json.dumps(list(input_shape))!r}))\n"
        f"NUM_CLASSES = json.loads({json.dumps(num_classes)!r})\n"
        f"ABOUT = json.loads({json.dumps(dict(description))!r})\n"
    )
    header = (
        "# Builds the best network of a gaweb search, with the values the search found.\n"
        "# Needs Keras 3 (with TensorFlow, JAX or PyTorch). Run it to see the model; import it\n"
        "# and call build_model(GENOME, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES) to use it.\n"
        "# ABOUT (below) says which search, entity and settings it comes from.\n"
    )
    main = (
        "\n\nif __name__ == '__main__':\n"
        "    model = compile_model(build_model(GENOME, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES), GENOME)\n"
        "    model.summary()\n"
        "    print('genome:', json.dumps(complete_genome(GENOME), sort_keys=True))\n"
        "    print('batch_size:', complete_genome(GENOME)['batch_size'], ' epochs:', ABOUT.get('epochs'))\n"
        "    print('parameters:', model.count_params())\n"
    )
    return header + source.replace(CATALOG_IMPORT, constants) + main


def versions() -> dict[str, str | None]:
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {"gaweb": gaweb.__version__, "tensorflow": version("tensorflow"), "keras": version("keras")}
