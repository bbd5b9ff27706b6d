from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _settings_in(var_dir: Path, **env: str) -> str:
    probe = "from django.conf import settings; print(settings.SECRET_KEY, settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='gaweb.settings'; {probe}"],
        cwd=ROOT, env={**os.environ, "GAWEB_VAR_DIR": str(var_dir), **env}, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip


def test_the_secret_key_is_generated_once_into_a_file_only_its_owner_can_read(tmp_path):
    key, debug = _settings_in(tmp_path)
    assert debug == "False"
    path = tmp_path / "secret_key"
    assert path.read_text() == key and len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _settings_in(tmp_path)[0] == key  # the same key on every start


def test_a_secret_key_in_the_environment_wins(tmp_path):
    assert _settings_in(tmp_path, GAWEB_SECRET_KEY="from-the-environment")[0] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
