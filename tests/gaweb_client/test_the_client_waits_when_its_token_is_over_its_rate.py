"""A 429 (the token's GAWEB_TOKEN_RATE) is sent again after the server's Retry-After, a few times at most."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gaweb_client import Client, GawebError


def server_refusing(times: int, retry_after: str = "1"):
    """A server that answers 429 (with ``retry_after``) ``times`` times, then a list of no searches."""
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            calls.append(self.path)
            if len(calls) <= times:
                refused = {"error": "this token made more than 1/m calls"}
                body, status, headers = refused, 429, {"Retry-After": retry_after}
            else:
                body, status, headers = {"searches": []}, 200, {}
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, calls


def test_a_call_over_the_rate_is_sent_again_after_retry_after():
    server, calls = server_refusing(1)
    try:
        assert Client(f"http://127.0.0.1:{server.server_port}", "gaweb_x").searches() == []
    finally:
        server.shutdown()
    assert len(calls) == 2


def test_a_call_still_refused_after_its_tries_raises_the_server_s_reason():
    server, calls = server_refusing(10)
    try:
        with pytest.raises(GawebError, match="429: this token made more than 1/m calls"):
            Client(f"http://127.0.0.1:{server.server_port}", "gaweb_x").searches()
    finally:
        server.shutdown()
    assert len(calls) == 3


@pytest.mark.parametrize("retry_after", ["3600", "Wed, 21 Oct 2026 07:28:00 GMT"])
def test_a_wait_longer_than_a_minute_or_unreadable_is_not_waited_for(retry_after):
    server, calls = server_refusing(10, retry_after)
    try:
        with pytest.raises(GawebError, match="429"):
            Client(f"http://127.0.0.1:{server.server_port}", "gaweb_x").searches()
    finally:
        server.shutdown()
    assert len(calls) == 1
