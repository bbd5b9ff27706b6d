"""Early stopping through the services: candidates report each epoch, and the hopeless ones stop."""

from __future__ import annotations

import pytest

from searches import services
from searches.live.state import dashboard_state
from searches.models import Entity, EpochResult, Search
from searches.reads.best import best_entity
from workers.inline import run_inline

EPOCHS = 4


@pytest.fixture
def stopping_spec(small_spec):
    small_spec["ga"] = {"population": 8, "generations": 3, "elite_previous": 4, "elite_all_time": 4}
    small_spec["training"] = {"epochs": EPOCHS, "early_stopping": {"rule": "median", "min_epochs": 1}}
    return small_spec


@pytest.mark.django_db
def test_a_search_with_the_median_rule_stops_some_candidates_and_keeps_their_partial_curve(stopping_spec):
    search = run_inline(services.search_create(spec=stopping_spec, execution=Search.Execution.INLINE).pk)
    assert search.status == Search.Status.COMPLETED
    stopped = Entity.objects.filter(search=search, status=Entity.Status.STOPPED)
    assert stopped.exists()
    for entity in stopped:
        assert entity.epochs == len(entity.history) < EPOCHS
        assert entity.fitness == pytest.approx(entity.history[-1]["val_accuracy"])
    done = Entity.objects.filter(search=search, status=Entity.Status.DONE)
    assert all(entity.epochs == EPOCHS for entity in done)
    assert best_entity(search).status == Entity.Status.DONE  # a partial result is never the best
    # Every epoch trained was reported, one row each.
    assert EpochResult.objects.filter(search=search).count() == sum(e.epochs for e in stopped) + EPOCHS * done.count()


@pytest.mark.django_db
def test_the_dashboard_counts_the_stopped_and_what_they_saved(stopping_spec):
    search = run_inline(services.search_create(spec=stopping_spec, execution=Search.Execution.INLINE).pk)
    state = dashboard_state(search)
    stopped = Entity.objects.filter(search=search, status=Entity.Status.STOPPED)
    assert state["progress"]["stopped"] == stopped.count() > 0
    saving = state["early_stopping"]
    assert saving["rule"] == {"rule": "median", "min_epochs": 1, "warmup": 5}
    assert saving["epochs_saved"] == sum(EPOCHS - e.epochs for e in stopped) and saving["seconds_saved"] >= 0
    assert "stopped" in state["points"]["status"]


@pytest.mark.django_db
def test_a_report_from_a_claim_that_was_lost_says_stop(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=entity.pk, worker="w")
    assert services.entity_report_epoch(entity_id=entity.pk, epoch=1, metrics={"val_accuracy": 0.5}, attempt=1)
    assert not services.entity_report_epoch(entity_id=entity.pk, epoch=2, metrics={"val_accuracy": 0.6}, attempt=2)
    entity.refresh_from_db()
    assert entity.history == [{"epoch": 1, "val_accuracy": 0.5}]  # the live learning curve


@pytest.mark.django_db
def test_where_the_images_grow_the_dashboard_counts_what_was_saved_in_passes_over_the_images(small_spec):
    small_spec["ga"] = {"population": 9, "generations": 2, "elite_previous": 4, "elite_all_time": 4}
    small_spec["training"] = {
        "epochs": EPOCHS, "early_stopping": {"rule": "successive_halving", "resource": "both", "image_rungs": 2},
    }  # fmt: skip
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    rule = search.stopping_rule
    ended = Entity.objects.filter(search=search, status__in=(Entity.Status.DONE, Entity.Status.STOPPED))
    stopped = ended.filter(status=Entity.Status.STOPPED)
    assert stopped.exists() and {e.epochs for e in stopped} <= {1, 2, 3}  # the rungs: a ninth, a third, 1 epoch
    saving = dashboard_state(search)["early_stopping"]
    assert saving["epochs_trained"] == pytest.approx(sum(rule.passes(e.epochs) for e in ended), abs=0.1)
    every_to_the_end = ended.count() * rule.passes(EPOCHS)  # a ninth + a third + 2 epochs, for every candidate
    assert saving["epochs_saved"] == pytest.approx(every_to_the_end - saving["epochs_trained"], abs=0.1)
