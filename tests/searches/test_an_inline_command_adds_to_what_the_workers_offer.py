"""A machine's offers: a worker starting replaces them (and may try again the searches it could
not train), a ``--inline`` command only adds to them, so that it never hides the workers' objectives."""

from __future__ import annotations

import pytest

from searches import services
from searches.clock import db_now
from searches.models import ObjectiveOffer, Search, UnableHost


def offered(host: str) -> set[str]:
    return set(ObjectiveOffer.objects.filter(host=host).values_list("name", flat=True))


@pytest.mark.django_db
def test_an_inline_command_adds_and_a_worker_replaces(small_spec):
    services.objectives_offer(host="alpha", offers=[{"name": "keras"}, {"name": "resnet"}])
    services.objectives_offer(host="alpha", offers=[{"name": "keras"}], replace=False)  # runsearch --inline
    assert offered("alpha") == {"keras", "resnet"}

    search = services.search_create(spec=small_spec, execution=Search.Execution.WORKERS)
    UnableHost.objects.create(search=search, host="alpha", worker="cpu0@alpha", reason="no dataset", found_at=db_now())
    services.objectives_offer(host="alpha", offers=[{"name": "keras"}])  # a worker starts without resnet
    assert offered("alpha") == {"keras"}
    assert not UnableHost.objects.filter(host="alpha").exists()  # it may have what the search needs now
