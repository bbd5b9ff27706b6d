"""TensorFlow's C++ start-up lines (oneDNN, the CUDA probe's "failed call to cuInit") stay off
gaweb's own output unless asked for, and still show when the import fails."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

# What TensorFlow 2.20-2.21 writes at start-up on a machine without a GPU.
START_UP_MARKERS = ("cuInit", "oneDNN", "absl::InitializeLog", "cuda drivers", "rebuild TensorFlow")

IMPORT = "from workers.training.quietly import keras; print(keras.backend.backend())"


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("GAWEB_TF_LOGS", "TF_CPP_MIN_LOG_LEVEL")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
        cwd=settings.BASE_DIR, env={**environment, "KERAS_BACKEND": "tensorflow", **env},
    )  # fmt: skip


def _start_up_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if any(marker in line for marker in START_UP_MARKERS)]


def test_importing_keras_through_gaweb_writes_none_of_them():
    quiet = _run(IMPORT)
    assert quiet.returncode == 0 and quiet.stdout.strip() == "tensorflow"
    assert _start_up_lines(quiet.stderr) == []


def test_they_show_when_asked_for():
    # Also the proof that there is something to keep out on this machine.
    loud = _run(IMPORT, GAWEB_TF_LOGS="1")
    assert loud.returncode == 0 and _start_up_lines(loud.stderr)


def test_a_failed_import_still_says_why():
    broken = _run(IMPORT, KERAS_BACKEND="no_such_backend")
    assert broken.returncode != 0 and "no_such_backend" in broken.stderr
