"""The final training chooses the model behind best.keras by the images it held out of every final
training alike, never by the test split: the search's crown, chosen by short noisy trainings, is
replaced when a longer training shows another candidate better."""

from __future__ import annotations

import pytest

from searches import exports, services
from searches.models import Entity, FinalModel, Search
from searches.reads.best import best_configuration, best_entity
from searches.reads.selectors import final_results
from workers.inline import run_final_inline, run_inline
from workers.training.loaders import load_digits

from .test_final_training import _keras_spec


def _record(final: Entity, *, validation: float | None, test: float) -> None:
    services.entity_claim(entity_id=final.pk, worker="w")
    services.entity_record_final(
        entity_id=final.pk, test_accuracy=test, test_loss=1.0, parameter_count=10, train_seconds=1.0,
        model=f"model of #{final.replicate_of_id}".encode(), validation_accuracy=validation,
    )  # fmt: skip


@pytest.fixture
def finals(small_spec):
    small_spec["final"] = {"top_k": 3, "include_baseline": False}
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    Search.objects.filter(pk=search.pk).update(objective="keras")
    ids = services.search_train_final(search_id=search.pk, on_workers=False)
    return search, list(Entity.objects.filter(pk__in=ids).order_by("index"))


@pytest.mark.django_db
def test_the_best_on_the_held_out_images_is_best_keras_whatever_the_test_split_says(finals):
    search, (crowned, runner_up, third) = finals
    assert crowned.replicate_of_id == best_entity(search).pk
    _record(crowned, validation=0.60, test=0.95)  # the test split would keep the crown: it must not choose
    _record(runner_up, validation=0.70, test=0.40)
    _record(third, validation=0.65, test=0.90)

    assert best_configuration(search).pk == runner_up.replicate_of_id
    assert bytes(exports.best_model(search).data) == f"model of #{runner_up.replicate_of_id}".encode()
    rows = {row["id"]: row for row in final_results(search)}
    assert rows[runner_up.pk]["picked"] and not rows[crowned.pk]["picked"]
    assert rows[crowned.pk]["crowned"] and rows[crowned.pk]["final_validation_accuracy"] == 0.60
    document = exports.best_document(search, best_configuration(search))
    assert document["entity"] == runner_up.replicate_of_id and document["chosen_by"] == "final training"
    assert best_entity(search).pk == crowned.replicate_of_id  # the search's own best is what it was


@pytest.mark.django_db
def test_with_no_share_held_out_best_keras_is_the_crowned_candidate_s(finals):
    search, (crowned, runner_up, third) = finals
    for final, test in ((crowned, 0.5), (runner_up, 0.9), (third, 0.8)):
        _record(final, validation=None, test=test)
    assert best_configuration(search).pk == crowned.replicate_of_id
    assert bytes(exports.best_model(search).data) == f"model of #{crowned.replicate_of_id}".encode()
    assert exports.best_document(search, best_configuration(search))["chosen_by"] == "search"


@pytest.mark.django_db
def test_a_final_training_holds_out_its_share_of_the_training_images(db):
    spec = _keras_spec(top_k=1, include_baseline=False, validation_fraction=0.25)
    search = run_inline(services.search_create(spec=spec, execution=Search.Execution.INLINE).pk)
    (final,) = run_final_inline(search.pk)
    assert final.status == Entity.Status.DONE and 0 <= final.accuracy <= 1
    held, trained = final.timings["validation_images"], final.timings["trained_images"]
    assert held == round(0.25 * 300) and trained == 300 - held  # final.max_train_samples: 300
    assert FinalModel.objects.filter(entity=final).exists()
    assert len(load_digits().test.labels) == final.timings["test_images"]
