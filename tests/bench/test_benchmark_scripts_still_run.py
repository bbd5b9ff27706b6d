from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_dashboard_scale_benchmark_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "scale.json"
    ran = subprocess.run(
        [sys.executable, "bench/dashboard_scale.py", "--sizes", "100", "--requests", "2", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    endpoints = {row["endpoint"] for row in json.loads(output.read_text())["results"]}
    assert endpoints == {"state", "state-cached", "unchanged", "page"}


def test_the_search_efficiency_benchmark_runs_in_a_tiny_configuration(tmp_path):
    ran = subprocess.run(
        [sys.executable, "bench/search_efficiency.py", "--seeds", "2", "--output-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    result = json.loads((tmp_path / "search_efficiency.json").read_text())
    assert result["synthetic"]["seeds"] == 2 and (tmp_path / "search_efficiency_synthetic.png").stat().st_size > 0
