"""A property over valid specs: whatever the mode, strategy, objectives, early-stopping rule and resource,
``confirm``, immigrants (0 included), duplicates policy, seed genomes and failures, a search run inline with
the synthetic objective ends without an exception, with every candidate ended or cancelled, no more candidates than
its budget, each confirmed once at most, and one best that every reader agrees on.

The tutorial baseline needs the keras objective (a real network), so it is not drawn here; the keras
tests cover it with confirm and early stopping (test_early_stopping_never_stops_a_measurement)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searches import services
from searches.models import Entity, Search
from searches.reads.best import crowned_fitness, ranked_best
from searches.spec.presets import REFERENCE_TRAITS
from workers.inline import run_inline


@st.composite
def specs(draw):
    population = draw(st.integers(2, 6))
    epochs = draw(st.integers(1, 4))
    rules = [None]
    if epochs >= 2:
        rules += [
            {"rule": "median", "min_epochs": 1, "warmup": draw(st.integers(0, 3))},
            {"rule": "successive_halving", "min_epochs": 1, "reduction": draw(st.integers(2, 3))},
            {"rule": "successive_halving", "resource": "images", "image_rungs": 1},
        ]
    if epochs >= 3:
        rules.append({"rule": "successive_halving", "resource": "both", "image_rungs": 1, "min_epochs": 1})
    elite = draw(st.integers(1, population))
    ga = {
        "population": population,
        "generations": draw(st.integers(1, 3)),
        "elite_previous": elite,
        "elite_all_time": draw(st.integers(1, population)),
        "immigrants": draw(st.integers(0, min(2, population))),
        "mutation_rate": draw(st.sampled_from([0.0, 0.05, 0.5])),
        "strategy": draw(st.sampled_from(["genetic", "random", "tpe", "surrogate"])),
        "mode": draw(st.sampled_from(["generational", "steady_state"])),
        "confirm": draw(st.integers(0, min(2, population))),
    }
    # The reference's "cache" (a duplicate takes a place, with the earlier result) is generational only.
    ga["duplicates"] = draw(st.sampled_from(["rebreed", "cache"])) if ga["mode"] == "generational" else "rebreed"
    if epochs >= 2 and ga["mode"] == "generational" and ga["duplicates"] == "rebreed":
        rules.append({"rule": "successive_halving", "min_epochs": 1, "reduction": 2, "promotion": "bracket"})
    if draw(st.booleans()):
        ga["seed_genomes"] = [{"learning_rate": 0.01, "batch_size": 128}]
    # Several objectives (NSGA-II) wherever the strategy takes them: every strategy but the surrogate.
    several = ga["strategy"] != "surrogate" and draw(st.booleans())
    fitness = {"objectives": draw(st.sampled_from([["accuracy", "-parameters"], ["accuracy", "-seconds"]]))}
    return {
        "name": "property",
        "dataset": "digits",
        "objective": "synthetic",
        "seed": draw(st.integers(0, 2**31 - 1)),
        "ga": ga,
        **({"fitness": fitness} if several else {}),
        "training": {
            "epochs": epochs,
            "early_stopping": draw(st.sampled_from(rules)),
            "synthetic_crash": draw(st.sampled_from([0.0, 0.0, 0.3])),
            "max_consecutive_failures": draw(st.sampled_from([0, 3])),
        },
        "traits": REFERENCE_TRAITS,
    }


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs())
def test_any_valid_spec_ends_with_consistent_counts_and_one_best(spec):
    search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)

    assert search.status in (Search.Status.COMPLETED, Search.Status.FAILED), search.error
    if spec["training"]["synthetic_crash"] == 0:
        assert search.status == Search.Status.COMPLETED
    entities = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    ended = entities.filter(Entity.has_ended()).count()
    cancelled = entities.filter(status=Entity.Status.CANCELLED).count()
    assert ended + cancelled == entities.count(), Counter(entities.values_list("status", flat=True))

    population = entities.exclude(origin__in=Entity.MEASUREMENTS)
    assert population.count() <= search.birth_budget
    if search.status == Search.Status.COMPLETED and not search.note:
        assert population.count() == search.birth_budget
    confirmations = Counter(entities.filter(origin=Entity.Origin.CONFIRMATION).values_list("replicate_of", flat=True))
    assert sum(confirmations.values()) <= spec["ga"]["confirm"] and max(confirmations.values(), default=1) == 1

    top = ranked_best(search, 1)
    assert search.best_fitness == crowned_fitness(search)
    if top:
        assert search.best_fitness == pytest.approx(sum(top[0].trainings) / len(top[0].trainings))
    else:
        assert search.best_fitness is None
