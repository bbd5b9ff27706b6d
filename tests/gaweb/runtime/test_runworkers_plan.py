from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from gaweb.runtime.supervisor import detect_gpus, plan_workers


def _plan(**overrides):
    options = {
        "gpus": [],
        "cpu_workers": 1,
        "cpu_count": 8,
        "python": "python",
        "queue": "gaweb",
        "max_memory_mb": 4096,
        "host": "node7",
    }
    return plan_workers(**{**options, **overrides})


def test_it_pins_one_worker_to_each_gpu_it_is_given():
    plans = _plan(gpus=["0", "1"])
    assert [p.name for p in plans] == ["gpu0", "gpu1"]
    assert [p.env["CUDA_VISIBLE_DEVICES"] for p in plans] == ["0", "1"]
    assert [p.env["GAWEB_GPU"] for p in plans] == ["0", "1"]
    for plan in plans:
        assert plan.env["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
        argv = " ".join(plan.argv)
        assert f"--hostname {plan.name}@node7" in argv
        # the training process knows its worker's name, to take up what a killed predecessor left
        assert plan.env["GAWEB_WORKER_NAME"] == plan.hostname == f"{plan.name}@node7"
        assert "--concurrency 1" in argv and "--prefetch-multiplier 1" in argv


def test_without_gpus_it_shares_the_cores_among_cpu_workers():
    plans = _plan(cpu_workers=2, cpu_count=8)
    assert [p.name for p in plans] == ["cpu0", "cpu1"]
    assert all(p.env["GAWEB_CPU_THREADS"] == "4" and p.env["CUDA_VISIBLE_DEVICES"] == "" for p in plans)


def test_gpus_take_precedence_over_cpu_workers():
    assert [p.name for p in _plan(gpus=["3"], cpu_workers=4)] == ["gpu3"]


def test_it_replaces_a_training_process_that_has_grown_too_large():
    assert "--max-memory-per-child 7168" in " ".join(_plan(max_memory_mb=7)[0].argv)


def test_it_reads_the_gpus_that_nvidia_smi_lists():
    listing = "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\nGPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-2)\n"

    def fake_run(argv, **kwargs):
        assert argv == ["nvidia-smi", "-L"]
        return subprocess.CompletedProcess(argv, 0, stdout=listing)

    assert detect_gpus(run=fake_run) == ["0", "1"]


def test_it_finds_no_gpu_where_nvidia_smi_is_missing():
    def missing(argv, **kwargs):
        raise FileNotFoundError(argv[0])

    assert detect_gpus(run=missing) == []


def test_runworkers_shows_its_plan_for_two_gpus():
    out = io.StringIO()
    call_command("runworkers", "--gpus", "0,1", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("gpu0@") and "CUDA_VISIBLE_DEVICES='0'" in lines[0]
    assert lines[2].startswith("gpu1@") and "CUDA_VISIBLE_DEVICES='1'" in lines[2]


@pytest.mark.parametrize("gpus", ["", "a,b", "0;1"])
def test_runworkers_refuses_a_malformed_gpu_list(gpus):
    with pytest.raises(CommandError, match="GPU indices"):
        call_command("runworkers", "--gpus", gpus, "--dry-run", stdout=io.StringIO())
