"""gaweb's Python client: submit a search, follow it, download what it found, from any Python.

It needs nothing but the standard library (``urllib``), so it runs in a notebook or a CI job
that has none of gaweb's dependencies: copy this folder, or put gaweb's folder on ``PYTHONPATH``.

    from gaweb_client import Client

    gaweb = Client("http://127.0.0.1:8000", token)       # a token from /accounts/tokens/
    search = gaweb.submit("examples/synthetic.json")     # a path, or the spec as a dict
    search.wait(progress=True)                           # a progress bar on stderr, until it ends
    search.best()                                        # best.json, as a dict
    search.download("best.keras", "model.keras")         # or: best.json, best-model, export.json, entities.csv
    search.entities()                                    # entities.csv's rows (a DataFrame with pandas)

The same from a shell: ``python -m gaweb_client submit examples/synthetic.json --wait`` (the
token in ``GAWEB_TOKEN``, the server in ``GAWEB_URL``).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["DOWNLOADS", "ENDED", "Client", "GawebError", "Search"]

# What a search offers for download, by the name its page gives it.
DOWNLOADS = ("best.json", "best.keras", "best-model", "best.py", "export.json", "entities.csv")
ENDED = ("completed", "failed", "cancelled")
RATE_LIMITED_TRIES = 3  # a call refused for the token's rate (429) is sent again after Retry-After, twice


class GawebError(RuntimeError):
    """The server refused a call: ``status`` is its HTTP status, the message its ``error``."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status


class Client:
    def __init__(self, url: str = "http://127.0.0.1:8000", token: str | None = None, *, timeout: float = 60.0):
        if not token:
            raise ValueError("a token is needed: make one on the server's /accounts/tokens/ page")
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def submit(self, spec: Mapping[str, Any] | str | Path) -> Search:
        """Start a search from a spec (a dict, or a JSON file's path); 400s name each bad field."""
        if isinstance(spec, str | Path):
            spec = json.loads(Path(spec).read_text())
        if not isinstance(spec, Mapping):
            raise TypeError(f"a spec is a dict or a JSON file's path, not {type(spec).__name__}")
        created = self.request("POST", "/api/searches/", spec)
        return Search(self, created["id"])

    def search(self, search_id: int) -> Search:
        return Search(self, search_id)

    def searches(self) -> list[dict[str, Any]]:
        return self.request("GET", "/api/searches/")["searches"]

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One call of the JSON API; its answer decoded, or ``GawebError`` with the server's reason."""
        return json.loads(self.fetch(method, path, body))

    def fetch(self, method: str, path: str, body: Any = None) -> bytes:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for attempt in range(RATE_LIMITED_TRIES):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                # Past the token's rate (GAWEB_TOKEN_RATE) the call was refused before it did
                # anything, so it is safe to send again when the server says.
                wait = _retry_after(error) if error.code == 429 else None
                if wait is not None and attempt + 1 < RATE_LIMITED_TRIES:
                    time.sleep(wait)
                    continue
                raise GawebError(error.code, _reason(error)) from None
            except urllib.error.URLError as error:  # no answer at all: status 0
                raise GawebError(0, f"cannot reach {self.url}: {error.reason}") from None
        raise AssertionError("unreachable")


class Search:
    def __init__(self, client: Client, search_id: int):
        self.client, self.id = client, search_id

    def __repr__(self) -> str:
        return f"Search({self.id}, {self.client.url}/searches/{self.id}/)"

    def state(self) -> dict[str, Any]:
        """The dashboard's state: status, progress, best, leaderboard, charts' data."""
        return self.client.request("GET", f"/api/searches/{self.id}/")

    def wait(self, *, progress: bool = True, interval: float = 2.0, timeout: float | None = None) -> dict[str, Any]:
        """Follow the search until it ends; returns its ``search`` part of the state (status, note,
        error...) with its ``progress`` counts, not the charts' data. ``progress``: a bar on stderr."""
        started = time.monotonic()
        while True:
            state = self.state()
            search, counts = state["search"], state["progress"]
            if progress:
                _bar(counts.get("ended", 0), counts.get("total", 0), counts.get("best_fitness"), search["status"])
            if search["status"] in ENDED:
                if progress:
                    sys.stderr.write("\n")
                return {**search, "progress": counts}
            if timeout is not None and time.monotonic() - started > timeout:
                raise TimeoutError(f"search #{self.id} is still {search['status']} after {timeout:g} s")
            time.sleep(interval)

    def best(self) -> dict[str, Any]:
        """``best.json``: the best genome, its figures, and what reproduces it."""
        return json.loads(self.client.fetch("GET", f"/searches/{self.id}/best.json"))

    def download(self, name: str, path: str | Path | None = None) -> Path:
        """Save one of ``DOWNLOADS`` to ``path`` (default: its name, in this folder); returns the path."""
        if name not in DOWNLOADS:
            raise ValueError(f"{name!r} is not a download; choose one of: {', '.join(DOWNLOADS)}")
        target = Path(path or name)
        target.write_bytes(self.client.fetch("GET", f"/searches/{self.id}/{name}"))
        return target

    def entities(self):
        """Every candidate as a row of ``entities.csv``: a pandas DataFrame where pandas is installed."""
        text = self.client.fetch("GET", f"/searches/{self.id}/entities.csv").decode()
        try:
            import pandas
        except ImportError:
            return list(csv.DictReader(io.StringIO(text)))
        return pandas.read_csv(io.StringIO(text))

    def cancel(self) -> dict[str, Any]:
        return self.client.request("POST", f"/api/searches/{self.id}/cancel/")

    def finish(self) -> dict[str, Any]:
        """End it now as completed, keeping what it found."""
        return self.client.request("POST", f"/api/searches/{self.id}/finish/")

    def extend(self, generations: int) -> dict[str, Any]:
        """A completed search runs ``generations`` more."""
        return self.client.request("POST", f"/api/searches/{self.id}/extend/", {"generations": generations})


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    """Seconds to wait before sending a refused call again, from its ``Retry-After`` (whole seconds);
    None when it says nothing usable or longer than a minute: better to say so at once."""
    try:
        wait = float(error.headers.get("Retry-After") or 1)
    except ValueError:  # a date (from a proxy, say): not worth waiting for here
        return None
    return max(wait, 0.0) if wait <= 60 else None


def _reason(error: urllib.error.HTTPError) -> str:
    body = error.read()
    try:
        answer = json.loads(body)
    except ValueError:
        page = body.decode(errors="replace")
        # A page's 404 (a download not there yet) says why in its #not-found-reason paragraph.
        found = re.search(r'id="not-found-reason">(.*?)</p>', page, re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", found.group(1) if found else page))
        return " ".join(text.split())[:300] or str(error.reason)
    if "errors" in answer:  # a spec's mistakes, field by field
        return "; ".join(f"{field}: {', '.join(messages)}" for field, messages in answer["errors"].items())
    return str(answer.get("error", answer))


def _bar(ended: int, total: int, best: float | None, status: str, width: int = 30) -> None:
    done = int(width * ended / total) if total else 0
    best_text = "-" if best is None else f"{best:.4f}"
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {ended}/{total}  best {best_text}  {status:<10}")
    sys.stderr.flush()
