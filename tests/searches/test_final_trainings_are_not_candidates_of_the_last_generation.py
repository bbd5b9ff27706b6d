"""Final trainings (and confirmations, and the baseline) measure what was chosen: they are not
counted as candidates of the generation they are filed under, in the summaries or the export."""

from __future__ import annotations

import pytest

from searches import services
from searches.exports import search_export
from searches.models import Entity, Search
from searches.reads.selectors import generation_summaries
from workers.inline import run_inline


@pytest.mark.django_db
def test_the_last_generation_counts_its_population_only_after_a_final_training(small_spec):
    small_spec["final"] = {"top_k": 3, "include_baseline": False}  # the tutorial has none of these traits
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    before = generation_summaries(search)
    Search.objects.filter(pk=search.pk).update(objective="keras")  # final training is for networks
    finals = services.search_train_final(search_id=search.pk, on_workers=False)
    assert Entity.objects.filter(pk__in=finals, origin=Entity.Origin.FINAL, generation__number=2).count() == 3

    after = generation_summaries(search)
    assert after == before and after[-1]["candidates"] == small_spec["ga"]["population"]
    assert search_export(search)["generations"] == before
