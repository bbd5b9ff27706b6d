"""The Python client against a real gunicorn server and a real worker: submit, wait with a progress
bar, read best.json, download, list the entities, cancel; from the shell too, in a Python with
nothing but the standard library."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request

import pytest
from django.contrib.auth import get_user_model

from gaweb.tokens.models import ApiToken
from gaweb_client import Client, GawebError
from searches.models import Search
from tests.processes import ROOT, wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(process_env):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gaweb.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=process_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=2)
        except OSError:
            return False
        return True

    assert wait_until(answers, timeout=60), process.stderr.read() if process.poll() is not None else "no answer"
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def token():
    alice = get_user_model().objects.create_user(username="alice", password="a-long-password-1")
    return ApiToken.issue(user=alice, name="client test", scope=ApiToken.Scope.WRITE)[1]


def test_submit_wait_read_download_and_cancel(server, token, workers, small_spec, tmp_path, capsys):
    workers.start(1)
    gaweb = Client(server, token)
    search = gaweb.submit(small_spec)
    state = search.wait(progress=True, interval=0.5, timeout=180)
    assert state["status"] == "completed", workers.logs()
    bar = capsys.readouterr().err
    assert f"{state['progress']['total']}/{state['progress']['total']}" in bar and "best" in bar

    best = search.best()
    assert best["entity"] and best["fitness"] == Search.objects.get(pk=search.id).best_fitness
    saved = search.download("best.json", tmp_path / "best.json")
    assert json.loads(saved.read_text())["genome"] == best["genome"]
    rows = search.entities()
    assert len(rows) >= state["progress"]["total"]
    with pytest.raises(GawebError, match="404: No trained model yet: train the best on all data first"):
        search.download("best.keras", tmp_path / "best.keras")  # the page's reason, not its HTML
    assert [row["id"] for row in gaweb.searches()] == [search.id]

    with pytest.raises(GawebError, match=r"409: search #\d+ has already ended"):
        search.cancel()
    small_spec["ga"]["generations"] = 50
    workers.stop()  # nothing trains it: it stays running until cancelled
    long = gaweb.submit(small_spec)
    assert long.cancel()["status"] == "cancelled"
    with pytest.raises(GawebError, match=r"400: ga\.population"):
        gaweb.submit({**small_spec, "ga": {**small_spec["ga"], "population": 1}})
    with pytest.raises(GawebError, match=r"^0: cannot reach http://127\.0\.0\.1:9"):
        Client("http://127.0.0.1:9", token).searches()


def test_the_shell_command_needs_only_the_standard_library(server, token, small_spec, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(small_spec))
    env = {"GAWEB_URL": server, "GAWEB_TOKEN": token, "PATH": "/usr/bin:/bin"}
    # -S: no site-packages, so nothing but the standard library can be imported.
    command = [sys.executable, "-S", "-m", "gaweb_client"]
    submitted = subprocess.run([*command, "submit", str(spec)], env=env, cwd=ROOT, capture_output=True, text=True)
    assert submitted.returncode == 0, submitted.stderr
    search_id = Search.objects.get().pk
    assert submitted.stdout.startswith(f"search #{search_id}: {server}/searches/{search_id}/")
    refused = subprocess.run(
        [*command, "--token", "gaweb_wrong", "state", str(search_id)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert refused.returncode == 1 and "401: this token is not valid" in refused.stderr
