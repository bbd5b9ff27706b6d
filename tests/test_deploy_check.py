from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _deploy_warnings(**env: str) -> set[str]:
    ran = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return set(re.findall(r"\(security\.(W\d+)\)", ran.stdout + ran.stderr))


def test_behind_https_only_the_hsts_choices_left_to_the_site_owner_remain():
    # docs/deploying.md says why these two stay off by default.
    assert _deploy_warnings(GAWEB_HTTPS="1", GAWEB_ALLOWED_HOSTS="gaweb.example.org") == {"W005", "W021"}


def test_plain_http_on_the_loopback_warns_only_about_https():
    assert _deploy_warnings() == {"W004", "W008", "W012", "W016"}
