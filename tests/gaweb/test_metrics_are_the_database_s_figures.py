"""``/metrics``: Prometheus's text format, every figure equal to what the database holds after a real
search; readable from the allowed addresses or with the token, and from nowhere else."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from searches import services
from searches.models import Entity, Search
from workers.inline import run_inline


def _samples(response) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.mark.django_db
def test_after_a_search_the_counts_equal_the_database_s(small_spec):
    run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    cancelled = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=cancelled.pk)
    services.search_cancel(search_id=cancelled.pk)

    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    samples = _samples(response)
    assert samples[("gaweb_searches", (("status", "completed"),))] == 1
    assert samples[("gaweb_searches", (("status", "cancelled"),))] == 1
    candidates = Entity.objects.exclude(status=Entity.Status.PARENT_ONLY)
    for status in ("done", "cancelled", "queued", "running", "failed"):
        assert samples[("gaweb_candidates", (("status", status),))] == candidates.filter(status=status).count()
    assert samples[("gaweb_jobs_queued", ())] == 0
    trained = candidates.filter(train_seconds__isnull=False).count()
    assert trained > 0 and samples[("gaweb_candidate_training_seconds_count", ())] == trained
    assert samples[("gaweb_candidate_training_seconds_bucket", (("le", "+Inf"),))] == trained
    assert samples[("gaweb_results_total", ())] == candidates.filter(status__in=Entity.ENDED).count()
    assert samples[("gaweb_claims_total", ())] == sum(candidates.values_list("attempts", flat=True))


@pytest.mark.django_db
def test_a_worker_in_training_counts_as_busy_on_its_host(small_spec):
    search = services.search_create(spec=small_spec, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    entity = Entity.objects.filter(search=search, status=Entity.Status.QUEUED).first()
    services.entity_claim(entity_id=entity.pk, worker="gpu0@node-7")
    samples = _samples(Client(REMOTE_ADDR="127.0.0.1").get("/metrics"))
    assert samples[("gaweb_workers_busy", (("host", "node-7"),))] == 1
    assert samples[("gaweb_jobs_queued", ())] == search.population - 1


@pytest.mark.django_db
def test_only_the_allowed_addresses_or_the_token_may_read_it(settings):
    settings.GAWEB_METRICS_TOKEN = "s3cret-token"
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
