"""``runsearch --inline --minutes N``: no training starts after N minutes; the search ends completed,
with what it found, and says why it ended."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from searches.models import Entity, Search


@pytest.mark.django_db
def test_a_spent_budget_ends_the_search_completed_with_the_rest_cancelled(tmp_path, synthetic_spec):
    spec = {**synthetic_spec, "training": {**synthetic_spec.get("training", {}), "synthetic_delay": 0.3}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    out = io.StringIO()
    call_command("runsearch", str(path), "--inline", "--minutes", "0.02", stdout=out)  # 1.2 s: 3 to 5 trainings
    search = Search.objects.get()
    assert search.status == Search.Status.COMPLETED
    assert search.note == "its time budget of 0.02 minutes was spent"
    trained = Entity.objects.filter(search=search, status=Entity.Status.DONE).count()
    assert 1 <= trained < search.population, out.getvalue()
    assert not Entity.objects.filter(search=search, status=Entity.Status.QUEUED).exists()
    assert search.best_fitness is not None


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [["--minutes", "0"], ["--minutes", "5"]], ids=["zero", "without-inline"])
def test_a_budget_is_refused_when_it_means_nothing(tmp_path, synthetic_spec, extra):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(synthetic_spec))
    args = ["--inline", *extra] if extra[1] == "0" else extra
    with pytest.raises(CommandError, match="--minutes is a time budget"):
        call_command("runsearch", str(path), *args, stdout=io.StringIO())
    assert not Search.objects.exists()
