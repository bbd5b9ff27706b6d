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
    assert endpoints == {
        "first-look-ever", "first-look", "update", "whole-after-change", "unchanged", "page",
        "leaderboard-page", "leaderboard-first",
    }  # fmt: skip


def test_the_search_efficiency_benchmark_runs_in_a_tiny_configuration(tmp_path):
    ran = subprocess.run(
        [sys.executable, "bench/search_efficiency.py", "--seeds", "2", "--output-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    result = json.loads((tmp_path / "search_efficiency.json").read_text())
    assert result["synthetic"]["seeds"] == 2 and (tmp_path / "search_efficiency_synthetic.png").stat().st_size > 0


def _run(*argv: str) -> subprocess.CompletedProcess:
    ran = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    return ran


def test_the_trainer_throughput_benchmark_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "throughput.json"
    _run("bench/trainer_throughput.py", "--random-images", "200", "--repeats", "1", "--output", str(output))
    result = json.loads(output.read_text())
    assert set(result["images_per_second"]) == {"gaweb", "plain"} and output.with_suffix(".png").exists()


def test_the_worker_overhead_benchmark_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "overhead.json"
    _run("bench/worker_overhead.py", "--entities", "2", "--epochs", "1", "--output", str(output))
    result = json.loads(output.read_text())
    assert result["entities"] == 2 and "naive" in result and output.with_suffix(".png").exists()


def test_the_worker_utilisation_benchmark_runs_in_a_tiny_configuration(tmp_path):
    _run("bench/worker_utilisation.py", "--workers", "2", "--population", "4", "--generations", "2",
         "--delay", "0.1", "--quality-seeds", "2", "--output-dir", str(tmp_path))  # fmt: skip
    result = json.loads((tmp_path / "worker_utilisation.json").read_text())
    for mode in ("generational", "steady_state"):
        assert len(result["modes"][mode]["per_generation"]) == 2 and 0 < result["modes"][mode]["utilisation"] <= 1
        assert result["modes"][mode]["entities"] == 8 and result["quality"][mode]["seeds"] == 2


def test_the_load_script_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "load.json"
    _run("bench/load_dashboard.py", "--clients", "2", "--seconds", "2", "--entities", "200", "--output", str(output))
    result = json.loads(output.read_text())
    assert result["requests"] > 0 and result["errors"] == 0


def test_the_kill_recovery_benchmark_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "kill.json"
    _run("bench/kill_recovery.py", "--population", "2", "--generations", "1", "--kill-after", "0.5",
         "--output", str(output))  # fmt: skip
    result = json.loads(output.read_text())
    assert result["one_kill"]["status"] == "completed" and result["one_kill"]["killed"] is not None
    assert result["one_kill"]["attempts"] == result["candidates"] + 1


def test_the_strategy_bakeoff_runs_in_a_tiny_configuration(tmp_path):
    _run("bench/strategy_bakeoff.py", "--seeds", "2", "--bbob-seeds", "1", "--bbob-functions", "1",
         "--evaluations", "40", "--output-dir", str(tmp_path))  # fmt: skip
    result = json.loads((tmp_path / "strategy_bakeoff.json").read_text())
    assert set(result["landscapes"]) == {"synthetic", "bbob-f1"}
    strategies = result["landscapes"]["bbob-f1"]["strategies"]
    assert {"genetic", "surrogate", "tpe", "optuna-tpe", "optuna-cmaes"} <= set(strategies)
    assert (tmp_path / "strategy_bakeoff.png").stat().st_size > 0


def _tiny_cifar_archive(tmp_path: Path) -> Path:
    """A CIFAR-10-shaped archive of 8 plain images per class, laid out as ../shared's."""
    import tarfile

    from PIL import Image

    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    for label, name in enumerate(classes):
        folder = tmp_path / "images" / "train" / name
        folder.mkdir(parents=True)
        for index in range(8):
            Image.new("RGB", (32, 32), (25 * label, 30 * index, 90)).save(folder / f"{index:04d}.jpg")
    archive = tmp_path / "tiny.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(tmp_path / "images" / "train", arcname="train")
    return archive


def test_the_cifar_ceiling_benchmark_runs_on_a_tiny_image_archive(tmp_path):
    archive = _tiny_cifar_archive(tmp_path)
    output = tmp_path / "ceiling.json"
    _run("bench/cifar_ceiling.py", "--archive", str(archive), "--work-dir", str(tmp_path / "work"),
         "--test-per-class", "2", "--seeds", "1", "--only", "2", "--final-samples", "40", "--final-epochs", "1",
         "--output", str(output))  # fmt: skip
    (seed,) = json.loads(output.read_text())["seeds"]
    assert [row["label"] for row in seed["rows"]] == ["the tutorial network", "batch 64"]
    assert all(0 <= row["test"] <= 1 for row in seed["rows"])
    assert "batch 64" in _run("bench/cifar_ceiling.py", "--report", "--output", str(output)).stdout


def test_the_cifar_budget_experiment_runs_on_a_tiny_image_archive(tmp_path):
    archive = _tiny_cifar_archive(tmp_path)
    output = tmp_path / "budget.json"
    _run("bench/cifar_budget.py", "--archive", str(archive), "--work-dir", str(tmp_path / "work"),
         "--test-per-class", "2", "--seeds", "1", "--budget-epochs", "4", "--minutes", "5", "--samples", "30",
         "--epochs", "2", "--arms", "recommended", "recommended-images", "reference", "optuna",
         "--top-k", "1", "--final-samples", "40", "--final-epochs", "1", "--output", str(output))  # fmt: skip
    (seed,) = json.loads(output.read_text())["seeds"]
    assert set(seed["arms"]) == {"tutorial", "recommended", "recommended-images", "reference", "optuna"}
    # What the last candidate to start may add: its epochs but one (2 - 1) where work comes in whole
    # epochs; a ninth and a third of an epoch, then 2 epochs on every image (the images arm, whose
    # work comes in ninths: it may start with a ninth less than 4 done).
    most = {"recommended": 1, "recommended-images": 1 / 9 + 1 / 3 + 2, "reference": 1, "optuna": 1}
    for arm, more in most.items():
        run = seed["arms"][arm]
        assert run["trained"] + run["stopped"] >= 1 and 0 <= run["final"]["test"] <= 1
        # The same work for every arm: no training started once 4 epochs were trained in all.
        assert 4 <= run["epochs_trained"] <= 4 + more + 0.01, (arm, run["epochs_trained"])
    assert len(list((tmp_path / "work" / "cifar10-2-held-out" / "test" / "truck").iterdir())) == 2


def test_the_early_stopping_benchmark_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "stopping.json"
    _run("bench/early_stopping.py", "--digits-seeds", "1", "--digits-epochs", "2", "--population", "2",
         "--generations", "1", "--rule", '{"rule": "median", "min_epochs": 1}', "--output", str(output))  # fmt: skip
    digits = json.loads(output.read_text())["digits"]
    assert digits["seeds"] == 1 and digits["rule"]["rule"] == "median"
    assert digits["runs"]["without"][0]["epochs_trained"] == digits["runs"]["without"][0]["epochs_full"]


def test_the_screenshots_script_runs_in_a_tiny_configuration(tmp_path):
    _run("bench/screenshots.py", "--entities", "2100", "--generations", "2", "--output-dir", str(tmp_path))
    for name in ("dashboard.png", "dashboard_10000.png", "compare.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_the_objective_overhead_benchmark_runs_in_a_tiny_configuration(tmp_path):
    output = tmp_path / "objective_overhead.json"
    _run("bench/objective_overhead.py", "--candidates", "2", "--output", str(output))
    kinds = json.loads(output.read_text())["kinds"]
    assert set(kinds) == {"function", "command", "keras builder"}
    assert all(row["candidates"] == 2 and row["direct_per_candidate"] > 0 for row in kinds.values())
