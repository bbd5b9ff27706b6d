from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .cluster import ROOT, unavailable

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))


def test_the_scale_out_benchmark_runs_in_a_tiny_configuration(tmp_path):
    ran = subprocess.run(
        [sys.executable, "bench/scale_out.py", "--hosts", "2", "--workers-per-host", "1", "--delays", "0.2",
         "--output-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    result = json.loads((tmp_path / "scale_out.json").read_text())
    assert result["workers"] == 2 and {run["mode"] for run in result["runs"]} == {"generational", "steady_state"}
    for run in result["runs"]:
        assert run["status"] == "completed" and run["entities"] == 40 and 0 < run["utilisation"] <= 1
        assert run["postgres_cpu_share_of_a_core"] > 0
    assert "breeding_seconds_mean" in result["runs"][0] and (tmp_path / "scale_out.png").stat().st_size > 0
