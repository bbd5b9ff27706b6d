"""A completed search given N more generations has exactly N more, bred from its whole history, and
trains no candidate twice; a cancelled search resumed trains what the cancel left untrained. Both
in either mode, refused with the reason where they cannot apply, and with nothing changed then."""

from __future__ import annotations

from collections import Counter

import pytest

from searches import services
from searches.models import Entity, Generation, Search
from workers.inline import run_inline


def _completed(spec) -> Search:
    return run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)


def _trainings(search: Search) -> Counter:
    trained = Entity.objects.filter(search=search, status=Entity.Status.DONE).exclude(origin=Entity.Origin.CONFIRMATION)
    return Counter(trained.values_list("genome_hash", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["generational", "steady_state"])
def test_a_completed_search_given_two_more_generations_has_exactly_two_more(small_spec, mode):
    small_spec["ga"]["mode"] = mode
    search = _completed(small_spec)
    before = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY).count()
    first_ids = set(Entity.objects.filter(search=search).values_list("pk", flat=True))

    extended = services.search_extend(search_id=search.pk, generations=2)
    assert extended.policy.generations == 5  # its typed settings read afresh with its spec
    search = run_inline(search.pk)

    assert search.status == Search.Status.COMPLETED and search.generations == 5
    assert search.spec["ga"]["generations"] == 5
    assert sorted(Generation.objects.filter(search=search).values_list("number", flat=True)) == [0, 1, 2, 3, 4]
    candidates = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY)
    assert candidates.count() == before + 2 * search.population
    assert max(_trainings(search).values()) == 1, "no genome trained twice"
    new = candidates.exclude(pk__in=first_ids)
    assert new.filter(status=Entity.Status.DONE).count() == 2 * search.population
    # Bred from the whole history: the new generations' parents include candidates of the first run.
    parents = set(new.values_list("parent_a", flat=True)) | set(new.values_list("parent_b", flat=True))
    assert parents & first_ids


@pytest.mark.django_db
def test_a_search_with_confirmations_confirms_its_new_best_after_more_generations(small_spec):
    small_spec["ga"]["confirm"] = 2
    search = _completed(small_spec)
    confirmed_first = set(
        Entity.objects.filter(search=search, origin=Entity.Origin.CONFIRMATION).values_list("replicate_of", flat=True)
    )
    assert len(confirmed_first) == 2
    services.search_extend(search_id=search.pk, generations=2)
    search = run_inline(search.pk)
    confirmations = Entity.objects.filter(search=search, origin=Entity.Origin.CONFIRMATION)
    per_original = Counter(confirmations.values_list("replicate_of", flat=True))
    assert max(per_original.values()) == 1, "a candidate is confirmed once"
    top = (
        Entity.objects.filter(search=search, status=Entity.Status.DONE)
        .exclude(origin__in=Entity.MEASUREMENTS)
        .order_by("-fitness", "generation__number", "index")[:2]
    )
    assert {e.pk for e in top} <= set(per_original), "the best after the extension are confirmed"


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["generational", "steady_state"])
def test_a_cancelled_search_resumed_trains_what_the_cancel_left(small_spec, mode):
    small_spec["ga"]["mode"] = mode
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    first = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).order_by("index").first()
    services.entity_claim(entity_id=first.pk, worker="w")
    services.entity_record_result(entity_id=first.pk, accuracy=0.5, parameter_count=10, train_seconds=1)
    services.search_cancel(search_id=search.pk)
    assert Entity.objects.filter(search=search, status=Entity.Status.CANCELLED).exists()

    services.search_resume(search_id=search.pk)
    search = run_inline(search.pk)

    assert search.status == Search.Status.COMPLETED and search.error == ""
    assert not Entity.objects.filter(search=search, status=Entity.Status.CANCELLED).exists()
    assert Entity.objects.get(pk=first.pk).fitness == 0.5, "what was trained keeps its result"
    assert max(_trainings(search).values()) == 1
    born = Entity.objects.filter(search=search).exclude(status=Entity.Status.PARENT_ONLY).count()
    assert born == search.population * search.generations


@pytest.mark.django_db
def test_a_search_cancelled_before_it_started_starts_when_resumed(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_cancel(search_id=search.pk)
    services.search_resume(search_id=search.pk)
    assert run_inline(search.pk).status == Search.Status.COMPLETED


@pytest.mark.django_db
def test_they_are_refused_with_the_reason_and_change_nothing(small_spec):
    search = _completed(small_spec)
    with pytest.raises(services.InvalidTransition, match="only a cancelled search can be resumed"):
        services.search_resume(search_id=search.pk)
    for bad in (0, -1, True, 2.5):
        with pytest.raises(services.InvalidTransition, match="whole number of generations"):
            services.search_extend(search_id=search.pk, generations=bad)
    with pytest.raises(services.InvalidTransition, match="more than the 1000"):
        services.search_extend(search_id=search.pk, generations=998)
    best = Entity.objects.filter(search=search, status=Entity.Status.DONE).first()
    final = Entity.objects.create(
        search=search, generation=best.generation, index=999, genome=best.genome, genome_hash=best.genome_hash,
        origin=Entity.Origin.FINAL, replicate_of=best, status=Entity.Status.DONE,
    )  # fmt: skip
    with pytest.raises(services.InvalidTransition, match="already trained at last"):
        services.search_extend(search_id=search.pk, generations=1)
    final.delete()
    running = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=running.pk)
    with pytest.raises(services.InvalidTransition, match="only a completed search"):
        services.search_extend(search_id=running.pk, generations=1)
    search.refresh_from_db()
    assert (search.status, search.generations) == (Search.Status.COMPLETED, 3)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["generational", "steady_state"])
def test_a_confirmed_search_extended_breeds_from_its_population_not_from_the_confirmations(small_spec, mode):
    # A confirmation is the best genome trained again: as a parent it would give that genome a second
    # place among the best of all time, a share of the next generation that no other candidate gets.
    small_spec["ga"].update(mode=mode, confirm=2, immigrants=0)
    search = _completed(small_spec)
    confirmations = set(
        Entity.objects.filter(search=search, origin=Entity.Origin.CONFIRMATION).values_list("pk", flat=True)
    )
    assert len(confirmations) == 2

    services.search_extend(search_id=search.pk, generations=2)
    run_inline(search.pk)

    parents = set(Entity.objects.filter(search=search).values_list("parent_a", "parent_b").distinct())
    assert not {p for pair in parents for p in pair} & confirmations
