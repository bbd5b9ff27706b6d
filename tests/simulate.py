"""Writes a search of many entities straight to the database, for scale tests and benchmarks.

The genomes are real proposals of the genetic algorithm over the reference space;
fitnesses come from a cheap function of the genome. Nothing is trained.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from searches import services
from searches.genetics import Space, genome_hash
from searches.models import Entity, Generation, Search
from searches.spec.presets import preset

# Two candidates end a second (a few dozen workers on short candidates).
SIMULATED_GAP = timedelta(seconds=0.5)


@transaction.atomic
def simulated_search(
    *, entities: int, population: int = 100, owner=None, last_generation_queued: bool = False, delay: float = 0.0
) -> Search:
    """A search of ``entities`` entities in generations of ``population``, all trained, or all but
    the last generation, left queued for real workers (send their jobs with ``services``)."""
    spec = preset("synthetic")
    generations = max(1, entities // population)
    spec["name"] = f"simulated search of {generations * population:,} entities"
    spec["ga"] = {**spec["ga"], "population": population, "generations": generations, "elite_previous": 10}
    spec["training"] = {**spec["training"], "synthetic_delay": delay}
    execution = Search.Execution.WORKERS if last_generation_queued else Search.Execution.INLINE
    search = services.search_create(spec=spec, owner=owner, execution=execution)
    space = Space.from_spec(spec["traits"])
    rng = random.Random(0)
    now = timezone.now()
    Search.objects.filter(pk=search.pk).update(
        status=Search.Status.RUNNING, started_at=now, current_generation=generations - 1
    )
    for number in range(generations):
        queued = last_generation_queued and number == generations - 1
        generation = Generation.objects.create(search=search, number=number, finished_at=None if queued else now)
        rows = []
        for index in range(population):
            genome = space.sample(rng)
            if queued:
                rows.append(
                    Entity(
                        search=search, generation=generation, index=index, genome=genome,
                        genome_hash=genome_hash(genome), origin="offspring", status=Entity.Status.QUEUED,
                        queued_at=now,
                    )
                )  # fmt: skip
                continue
            fitness = 0.1 + 0.8 * rng.random() * (number + 1) / generations
            # Ends spread out over time, the last one now, as a search with many workers has them.
            ended = now - SIMULATED_GAP * ((generations - 1 - number) * population - index)
            rows.append(
                Entity(
                    search=search, generation=generation, index=index, genome=genome,
                    genome_hash=genome_hash(genome), origin="random" if number == 0 else "offspring",
                    status=Entity.Status.DONE, fitness=fitness, accuracy=fitness, parameter_count=100_000,
                    train_seconds=1.0, worker=f"gpu{index % 8}@sim", gpu=str(index % 8),
                    started_at=ended - SIMULATED_GAP, finished_at=ended,
                    history=[{"epoch": 1, "val_accuracy": fitness}],
                )
            )  # fmt: skip
        Entity.objects.bulk_create(rows, batch_size=2000)
    search.refresh_from_db()
    return search
