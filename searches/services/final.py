"""Final training ("Train the best on all data"): a finished search's best, trained at last and measured once.

The search's ``final.top_k`` best distinct genomes (as the search crowns them: by the mean of
their trainings where ``ga.confirm`` confirmed them) and, with ``final.include_baseline``,
the tutorial's own network, are queued as entities of origin ``final``. Workers train them
like any candidate (the same claims, heartbeats, retries and recovery), on every search
image, measure each once on the test split, and store the trained model. The search stays
``completed`` throughout: its result is what it found; this measures it honestly.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from searches.clock import db_now
from searches.genetics import genome_hash
from searches.models import Entity, FinalModel, Search
from searches.reads.best import ranked_best
from searches.reads.objectives import trains_final
from searches.services.entities import already_recorded, running_claim
from searches.services.queueing import queue_entities
from searches.services.searches import InvalidTransition
from searches.spec.catalog import TUTORIAL_GENOME

log = logging.getLogger("gaweb.services")


def search_train_final(*, search_id: int, on_workers: bool = True) -> list[int]:
    """Queue the final training of a completed search's best; returns the new entities' ids.

    ``on_workers``: the jobs go to the workers, also for a search that ran ``--inline`` (it
    becomes a workers search, so that recovery sends its jobs again after a fault); otherwise
    the caller trains them in its own process (``trainfinal --inline``).

    Raises ``InvalidTransition`` when the search cannot have one (not completed, not a keras
    search, nothing trained) or already has one that has not failed.
    """
    with transaction.atomic():
        search = Search.objects.select_for_update().get(pk=search_id)
        if search.status != Search.Status.COMPLETED:
            raise InvalidTransition("only a completed search has a best to train at last")
        if not trains_final(search.objective):
            raise InvalidTransition(
                f"the objective {search.objective!r} cannot be trained at last: it is neither keras nor a Keras"
                " builder, and does not declare trains_final"
            )
        finals = Entity.objects.finals().filter(search=search)
        if finals.exclude(status=Entity.Status.FAILED).exists():
            raise InvalidTransition("this search's best are already trained, or in training")
        finals.delete()  # an earlier try that failed (its reasons are in the log): this one replaces it
        final = search.settings.final
        best = ranked_best(search, final.top_k)
        if not best:
            raise InvalidTransition("no candidate of this search was trained to its last epoch")
        genomes = [(entity, entity.genome) for entity in best]
        if final.include_baseline and search.objective == "keras":  # the tutorial's network is gaweb's
            genomes.append((None, {name: TUTORIAL_GENOME[name] for name in search.space.names}))
        generation = search.generation_set.order_by("-number").first()
        first = (generation.entities.aggregate(last=Max("index"))["last"] or 0) + 1
        now = db_now()
        created = Entity.objects.bulk_create(
            Entity(
                search=search, generation=generation, index=first + j, genome=genome, genome_hash=genome_hash(genome),
                origin=Entity.Origin.FINAL, replicate_of=original, status=Entity.Status.QUEUED, queued_at=now,
            )
            for j, (original, genome) in enumerate(genomes)
        )  # fmt: skip
        if on_workers:
            if search.execution != Search.Execution.WORKERS:
                search.execution = Search.Execution.WORKERS
                search.save(update_fields=["execution"])
            queue_entities(search, [entity.pk for entity in created])
    log.info("search #%s: final training of %d networks queued", search_id, len(created))
    return [entity.pk for entity in created]


def entity_record_final(
    *,
    entity_id: int,
    test_accuracy: float,
    test_loss: float,
    parameter_count: int,
    train_seconds: float,
    model: bytes,
    history=(),
    timings=None,
    validation_accuracy: float | None = None,
    model_filename: str = "best.keras",
    attempt: int | None = None,
) -> bool:
    """Record a final training: its measure on the test split and its model (when not too large).
    ``validation_accuracy`` (on the images held out of every final training of the search) is
    kept as the entity's ``accuracy``: it, never the test split, chooses the model of ``best.keras``.

    ``model`` may be empty: a user's function or command that saved no model file.

    Safe to repeat for the same claim, like every record.
    """
    limit = settings.GAWEB_MAX_MODEL_MB * 1024 * 1024
    kept = 0 < len(model) <= limit
    if not model:
        why = "no model saved: the objective handed gaweb no file (report.save_model, or GAWEB_MODEL_DIR)"
    else:
        why = "" if kept else f"model not kept: {len(model):,} bytes, over GAWEB_MAX_MODEL_MB"
    with transaction.atomic():
        recorded = running_claim(entity_id, attempt).update(
            status=Entity.Status.DONE,
            test_accuracy=test_accuracy,
            test_loss=test_loss,
            accuracy=validation_accuracy,
            parameter_count=parameter_count,
            train_seconds=train_seconds,
            history=list(history),
            epochs=len(history),
            timings=dict(timings or {}),
            error=why,
            finished_at=db_now(),
        )
        if recorded and kept:
            FinalModel.objects.update_or_create(
                entity_id=entity_id, defaults={"data": model, "size": len(model), "filename": model_filename[:200]}
            )
    return bool(recorded) or already_recorded(entity_id, attempt, Entity.Status.DONE)
