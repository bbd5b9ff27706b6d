"""The one place that decides which candidate is the best, and the ranking behind it.

The list, the API, the progress line, the board's first look, the compare page, the exports and
the terminal all ask here: the crowned candidate (``best_entity``, ``ranked_best``: trained to its
last epoch, by the mean of its trainings where confirmed), the final training's pick once the best
are trained on all data (``final_pick``), and what the downloads describe (``best_configuration``).
The live board ranks its points by the same rule (``searches.live.dashboard``), and a test holds
the two to one answer.
"""

from __future__ import annotations

import statistics

from searches.genetics import pareto_ranks
from searches.models import Entity, Search
from searches.spec.search import objective_values


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
    done = Entity.objects.filter(search=search, status=Entity.Status.DONE)
    confirmed: dict[int, list[float]] = {}
    for original, fitness in done.confirmations().values_list("replicate_of_id", "fitness"):
        confirmed.setdefault(original, []).append(fitness)
    originals = done.population().order_by("-fitness", "generation__number", "index")
    # Beyond the best len(confirmed) + count by a single training, none can be among the best count.
    candidates = {e.pk: e for e in originals.select_related("generation")[: len(confirmed) + count]}
    candidates.update((e.pk, e) for e in originals.filter(pk__in=confirmed).select_related("generation"))
    for entity in candidates.values():
        entity.trainings = [entity.fitness, *confirmed.get(entity.pk, [])]
    ranked = sorted(candidates.values(), key=lambda e: (-statistics.fmean(e.trainings), e.generation.number, e.index))
    return ranked[:count]


def final_pick(search: Search) -> Entity | None:
    """The candidate whose final training scored best on the images held out of every final
    training of the search (``final.validation_fraction``): the network behind ``best.keras``,
    ``best.json`` and ``best.py`` once the best are trained on all data. None before that, or
    when no share was held out. Never chosen by the test split; ties go to the search's ranking."""
    finals = (
        Entity.objects.finals()
        .filter(
            search=search, status=Entity.Status.DONE, replicate_of__isnull=False, accuracy__isnull=False,
        )
        .select_related("replicate_of__generation")
        .order_by("-accuracy", "index")
    )  # fmt: skip
    final = finals.first()
    if final is None:
        return None
    pick = final.replicate_of
    pick.trainings = [pick.fitness, *confirmations_of(pick)]
    return pick


def confirmations_of(entity: Entity) -> list[float]:
    return list(
        Entity.objects.confirmations()
        .filter(replicate_of=entity, status=Entity.Status.DONE)
        .values_list("fitness", flat=True)
    )


def best_configuration(search: Search) -> Entity | None:
    """What the downloads describe: the final training's pick once there is one, else the search's
    crowned candidate (``best_entity``)."""
    return final_pick(search) or best_entity(search)


def crowned_fitness(search: Search) -> float | None:
    """The search's best fitness by the one definition (``ranked_best``'s top, by the mean of its
    trainings), as the services keep it in ``Search.best_fitness``."""
    best = ranked_best(search, 1)
    return statistics.fmean(best[0].trainings) if best else None


def pareto_front(search: Search) -> list[Entity]:
    """With several objectives (``fitness.objectives``), the candidates trained to their last epoch
    that no other beats in every objective, by falling fitness (``best.json``'s ``front``); empty
    for a search of one fitness. Reads every ranked candidate's figures: for the export, not a poll."""
    objectives = search.settings.objectives
    if not objectives:
        return []
    ranked = list(
        Entity.objects.population()
        .filter(search=search, status=Entity.Status.DONE, fitness__isnull=False)
        .select_related("generation")
        .order_by("-fitness", "generation__number", "index")
    )
    # A confirmed candidate counts by the mean of its trainings, as on the leaderboard.
    confirmed: dict[int, list[float]] = {}
    for original, fitness in (
        Entity.objects.confirmations()
        .filter(search=search, status=Entity.Status.DONE)
        .values_list("replicate_of_id", "fitness")
    ):
        confirmed.setdefault(original, []).append(fitness)
    for entity in ranked:
        entity.trainings = [entity.fitness, *confirmed.get(entity.pk, [])]
    vectors = [
        objective_values(
            objectives, fitness=statistics.fmean(e.trainings), parameter_count=e.parameter_count,
            train_seconds=e.train_seconds,
        )
        for e in ranked
    ]  # fmt: skip
    return [entity for entity, rank in zip(ranked, pareto_ranks(vectors), strict=True) if rank == 0]
