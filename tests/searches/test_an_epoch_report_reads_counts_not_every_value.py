"""An epoch's report decides early stopping from counts and the middle values, read on an index
after the write: the same decisions as from every value, at a cost that does not grow with them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from searches import services
from searches.models import Entity, EpochResult, Search
from tests.simulate import simulated_search

# (rule, the others' values at epoch 1, the candidate's value, goes on?)
CASES = [
    ({"rule": "median", "min_epochs": 1, "warmup": 3}, [0.5, 0.6, 0.7], 0.4, False),
    ({"rule": "median", "min_epochs": 1, "warmup": 3}, [0.5, 0.6, 0.7], 0.6, True),
    ({"rule": "median", "min_epochs": 1, "warmup": 3}, [0.5, 0.6, 0.7, 0.8], 0.64, False),  # median 0.65
    ({"rule": "median", "min_epochs": 1, "warmup": 3}, [0.5, 0.6, 0.7, 0.8], 0.65, True),
    ({"rule": "median", "min_epochs": 1}, [0.5, 0.6, 0.7, 0.8], 0.1, True),  # fewer than the warm-up of 5
    ({"rule": "successive_halving", "min_epochs": 1, "reduction": 3}, [0.3], 0.2, False),
    ({"rule": "successive_halving", "min_epochs": 1, "reduction": 3}, [0.1, 0.2, 0.6, 0.7, 0.8], 0.75, True),
    ({"rule": "successive_halving", "min_epochs": 1, "reduction": 3}, [0.1, 0.2, 0.6, 0.7, 0.8], 0.5, False),
]


def _search(small_spec, rule) -> Search:
    small_spec["ga"]["population"] = 8
    small_spec["training"] = {"epochs": 3, "early_stopping": rule}
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    return search


@pytest.mark.django_db
@pytest.mark.parametrize(("rule", "others", "value", "goes_on"), CASES)
def test_the_report_decides_as_the_rule_does_on_every_value(small_spec, rule, others, value, goes_on):
    search = _search(small_spec, rule)
    entities = list(Entity.objects.filter(search=search, status=Entity.Status.QUEUED))
    for entity, other in zip(entities, others, strict=False):
        EpochResult.objects.create(search=search, entity=entity, epoch=1, val_accuracy=other)
    reporting = entities[len(others)]
    services.entity_claim(entity_id=reporting.pk, worker="w")
    assert services.entity_report_epoch(entity_id=reporting.pk, epoch=1, metrics={"val_accuracy": value}) is goes_on
    assert search.stopping_rule.goes_on(epoch=1, value=value, others=others) is goes_on


@pytest.mark.django_db
@pytest.mark.parametrize("rule", [{"rule": "median", "min_epochs": 1}, {"rule": "successive_halving"}])
def test_a_report_in_a_search_of_thousands_reads_no_list_of_values(small_spec, rule):
    search = simulated_search(entities=3000)
    Search.objects.filter(pk=search.pk).update(
        spec={**search.spec, "training": {**search.spec["training"], "epochs": 3, "early_stopping": rule}}
    )
    done = list(Entity.objects.filter(search=search, status=Entity.Status.DONE).values_list("pk", flat=True))
    EpochResult.objects.bulk_create(
        EpochResult(search=search, entity_id=pk, epoch=1, val_accuracy=(pk % 97) / 97) for pk in done[1:]
    )
    Entity.objects.filter(pk=done[0]).update(status=Entity.Status.RUNNING, attempts=1)
    with CaptureQueriesContext(connection) as read:
        services.entity_report_epoch(entity_id=done[0], epoch=1, metrics={"val_accuracy": 0.5})
    values = [q["sql"] for q in read.captured_queries if "epochresult" in q["sql"] and q["sql"].startswith("SELECT")]
    assert values and all("COUNT(" in sql or "LIMIT" in sql for sql in values), values
