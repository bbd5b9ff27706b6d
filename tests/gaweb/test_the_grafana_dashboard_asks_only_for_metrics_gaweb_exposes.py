"""docs/grafana/gaweb.json: every query names a metric that ``/metrics`` exposes (after a pass and a
search), so that the dashboard a user imports draws something in every panel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from gaweb.runtime.host_reports import record_pass

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "gaweb.json"


@pytest.mark.django_db
def test_every_panel_queries_metrics_that_metrics_exposes():
    record_pass(host="node-1", workers=1, planned=1, restarts=0, error=None)
    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    exposed = {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}
    panels = json.loads(DASHBOARD.read_text())["panels"]
    queries = [target["expr"] for panel in panels for target in panel["targets"]]
    asked = {name for query in queries for name in re.findall(r"gaweb_\w+", query)}
    assert len(panels) >= 8 and asked
    assert asked <= exposed, f"asked for but not exposed: {sorted(asked - exposed)}"
