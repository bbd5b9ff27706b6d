"""A gaweb cluster on one machine: "main" and worker hosts in Linux network namespaces.

Each host is a network namespace with its own address, joined to main by a veth pair; each
worker host also runs in its own UTS namespace, so that it has its own host name, as a real
machine does. Main runs PostgreSQL (a server started here: ``initdb`` in a temporary folder)
and Redis, listening on its addresses; the test process reaches main through one more veth
pair. Every namespace, link and process is created here and removed by ``Cluster.close``.
Traffic stays inside these namespaces: nothing is routed anywhere else.

Needs root (``ip netns``), PostgreSQL's server programs (``initdb``, ``pg_ctl``, run as the
``postgres`` user) and ``redis-server``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUBNET = "10.213"  # a private range: 10.213.0.x is the test process and main, 10.213.k.x host k and main
PG_PORT = 5432
REDIS_PORT = 6379
WEB_PORT = 8000


def unavailable() -> str | None:
    """Why a cluster cannot be made on this machine (None: it can)."""
    if os.geteuid() != 0:
        return "the multi-host tests need root, to make network namespaces (ip netns)"
    for program in ("ip", "unshare", "runuser", "redis-server"):
        if shutil.which(program) is None:
            return f"the multi-host tests need {program}"
    if _pg_program("initdb") is None:
        return "the multi-host tests need PostgreSQL's server programs (initdb, pg_ctl)"
    return None


def _pg_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(versions[-1]) if versions else None


def _run(*argv: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True, **kwargs)


# Names this module gives: namespaces gw<tag>m (main) and gw<tag>h<k> (host k), and the test
# process's end of its link to main, gw<tag>t.
_LEFTOVER_NAMESPACE = re.compile(r"^gw[0-9a-f]{4}(m|h[0-9]+)$")
_LEFTOVER_LINK = re.compile(r"^gw[0-9a-f]{4}t$")


def sweep_leftovers() -> list[str]:
    """Remove the namespaces, processes and links of a cluster whose run was killed before close().

    Called with the cluster lock held, so nothing found is in use. A leftover link still holds
    10.213.0.1 on this side: a new cluster's main would be unreachable behind it. Returns what went.
    """
    swept = []
    for line in _run("ip", "netns", "list", check=False).stdout.splitlines():
        namespace = line.split()[0] if line.split() else ""
        if _LEFTOVER_NAMESPACE.match(namespace):
            for pid in _run("ip", "netns", "pids", namespace, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            _run("ip", "netns", "del", namespace, check=False)
            swept.append(namespace)
    for line in _run("ip", "-o", "link", "show", check=False).stdout.splitlines():
        fields = line.split(":")
        link = fields[1].strip().split("@")[0] if len(fields) > 1 else ""
        if _LEFTOVER_LINK.match(link):
            _run("ip", "link", "del", link, check=False)
            swept.append(link)
    return swept


@dataclass
class Host:
    name: str  # the namespace
    hostname: str
    main_address: str  # main's address on this host's link
    address: str
    link: str  # main's end of the link: taken down to cut the host off
    var_dir: Path
    process: subprocess.Popen | None = None
    log: Path | None = None


@dataclass
class Cluster:
    workdir: Path
    tag: str = field(default_factory=lambda: secrets.token_hex(2))
    hosts: list[Host] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    pg_data: Path | None = None
    redis: subprocess.Popen | None = None
    # PostgreSQL's settings (``-c name=value``): the tests need no durability; a benchmark may.
    pg_settings: dict[str, str] = field(default_factory=lambda: {"fsync": "off"})

    @property
    def main(self) -> str:
        return f"gw{self.tag}m"

    @property
    def main_address(self) -> str:
        """Main's address as the test process reaches it."""
        return f"{SUBNET}.0.2"

    @property
    def data_dir(self) -> Path:
        """Where every host finds datasets (one file system: a host hides it with ``hide``)."""
        return self.workdir / "data"

    @property
    def web_only_dir(self) -> Path:
        """Datasets that the web server accepts and no worker host may read (not in their data roots)."""
        return self.workdir / "webdata"

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@{self.main_address}:{PG_PORT}/gaweb"

    # --- Network ---------------------------------------------------------------------------

    def _namespace(self, name: str) -> None:
        _run("ip", "netns", "add", name)
        self.namespaces.append(name)
        self.exec_in(name, "ip", "link", "set", "lo", "up")

    def _link(self, outside: str, inside: str, namespace: str, outside_ns: str | None, net: int) -> None:
        """A veth pair: ``outside`` (in ``outside_ns``, or here) .1, ``inside`` (in ``namespace``) .2."""
        _run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
        self.links.append(outside)
        _run("ip", "link", "set", inside, "netns", namespace)
        if outside_ns:
            _run("ip", "link", "set", outside, "netns", outside_ns)
        out = ("ip", "netns", "exec", outside_ns) if outside_ns else ()
        _run(*out, "ip", "addr", "add", f"{SUBNET}.{net}.1/24", "dev", outside)
        _run(*out, "ip", "link", "set", outside, "up")
        self.exec_in(namespace, "ip", "addr", "add", f"{SUBNET}.{net}.2/24", "dev", inside)
        self.exec_in(namespace, "ip", "link", "set", inside, "up")

    def exec_in(self, namespace: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run("ip", "netns", "exec", namespace, *argv, check=check)

    def set_link(self, host: Host, up: bool) -> None:
        """Cut a host off from main (``up=False``), or join it again."""
        self.exec_in(self.main, "ip", "link", "set", host.link, "up" if up else "down")

    # --- Main's services ----------------------------------------------------------------------

    def start_main(self) -> None:
        # Every cluster takes the same subnet: one at a time on a machine, whoever makes it (the
        # tests in any pytest-xdist process, bench/chaos.py, bench/scale_out.py). Held until close().
        self._lock = open(Path(tempfile.gettempdir()) / "gaweb-multihost.lock", "w")  # noqa: SIM115
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        sweep_leftovers()
        self.data_dir.mkdir()
        self.web_only_dir.mkdir()
        self._namespace(self.main)
        # The test process reaches main through 10.213.0.x (main is .2 on its side).
        self._link(f"gw{self.tag}t", f"gw{self.tag}tm", self.main, None, 0)
        self._start_postgres()
        self.start_redis()

    def start_redis(self) -> None:
        """Redis on main, keeping nothing on disk: a restart loses every queued job."""
        self.redis = subprocess.Popen(
            ["ip", "netns", "exec", self.main, "redis-server", "--port", str(REDIS_PORT), "--bind", "0.0.0.0",
             "--protected-mode", "no", "--save", "", "--appendonly", "no"],
            stdout=(self.workdir / "redis.log").open("a"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(self.redis)
        self._wait_for_port(self.main_address, REDIS_PORT)

    def restart_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(timeout=10)
        self.start_redis()

    def _start_postgres(self) -> None:
        # Its own folder, which the postgres user can reach (pytest's are its owner's alone).
        holder = Path(tempfile.mkdtemp(prefix="gaweb-cluster-pg-"))
        holder.chmod(0o755)
        self.pg_data = holder / "data"
        self.pg_data.mkdir()
        shutil.chown(self.pg_data, "postgres", "postgres")
        as_postgres = ("runuser", "-u", "postgres", "--")
        _run(*as_postgres, _pg_program("initdb"), "-D", str(self.pg_data), "-A", "trust", "-U", "postgres")
        with (self.pg_data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {SUBNET}.0.0/16 trust\n")
        options = " ".join(
            [f"-c listen_addresses='*' -p {PG_PORT} -k {self.pg_data}"]
            + [f"-c {name}={value}" for name, value in self.pg_settings.items()]
        )
        self.exec_in(
            self.main, *as_postgres, _pg_program("pg_ctl"), "-D", str(self.pg_data), "-o", options,
            "-l", str(self.pg_data / "server.log"), "-w", "start",
        )  # fmt: skip
        self.exec_in(self.main, *as_postgres, _pg_program("createdb") or "createdb", "-h", str(self.pg_data),
                     "-p", str(PG_PORT), "gaweb")  # fmt: skip

    def restart_postgres(self) -> None:
        as_postgres = ("runuser", "-u", "postgres", "--")
        # With its log file named again: a server without one would hold this call's output open.
        self.exec_in(
            self.main, *as_postgres, _pg_program("pg_ctl"), "-D", str(self.pg_data), "-m", "fast",
            "-l", str(self.pg_data / "server.log"), "-w", "restart",
        )  # fmt: skip

    def _wait_for_port(self, address: str, port: int, timeout: float = 30) -> None:
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((address, port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"nothing listens on {address}:{port}")

    @property
    def postgres_pid(self) -> int:
        """The PostgreSQL server's main process (its backends are its children)."""
        return int((self.pg_data / "postmaster.pid").read_text().split()[0])

    def query(self, sql: str, *params) -> list[tuple]:
        """Rows from main's database, read from the test process."""
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=10) as connection:
            return connection.execute(sql, params).fetchall()

    def manage(self, *argv: str, env: dict[str, str] | None = None, timeout: float = 300):
        """``manage.py`` from the test process, against main's database and Redis."""
        return subprocess.run(
            [sys.executable, "manage.py", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
            env={**self.base_env(self.main_address), "GAWEB_VAR_DIR": str(self.workdir / "client"), **(env or {})},
        )  # fmt: skip

    def base_env(self, main_address: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("GAWEB_", "DATABASE_URL", "REDIS_URL"))}
        return {
            **keep,
            "DATABASE_URL": f"postgresql://postgres@{main_address}:{PG_PORT}/gaweb",
            "REDIS_URL": f"redis://{main_address}:{REDIS_PORT}/0",
            "GAWEB_SECRET_KEY": "multihost-test-key",
            "GAWEB_PRELOAD_KERAS": "0",  # synthetic workers: no TensorFlow
            "GAWEB_DATA_ROOTS": str(self.data_dir),
            "PYTHONUNBUFFERED": "1",
        }

    def start_web(self) -> None:
        """gunicorn on main, as ``up`` runs it, reached by the test process across the namespaces."""
        self.processes.append(
            subprocess.Popen(
                ["ip", "netns", "exec", self.main, sys.executable, "-m", "gunicorn", "gaweb.wsgi", "--bind",
                 f"0.0.0.0:{WEB_PORT}", "--workers", "1", "--threads", "4",
                 "--control-socket", str(self.workdir / "gunicorn.ctl")],
                cwd=ROOT, stdout=(self.workdir / "web.log").open("w"), stderr=subprocess.STDOUT,
                env={**self.base_env("127.0.0.1"), "GAWEB_VAR_DIR": str(self.workdir / "web"),
                     "GAWEB_ALLOWED_HOSTS": self.main_address,
                     "GAWEB_DATA_ROOTS": os.pathsep.join([str(self.data_dir), str(self.web_only_dir)])},
            )
        )  # fmt: skip
        self._wait_for_port(self.main_address, WEB_PORT)

    @property
    def web_url(self) -> str:
        return f"http://{self.main_address}:{WEB_PORT}"

    # --- Worker hosts ---------------------------------------------------------------------------

    def add_host(self, number: int) -> Host:
        name = f"gw{self.tag}h{number}"
        self._namespace(name)
        link = f"gw{self.tag}l{number}"
        self._link(link, f"gw{self.tag}e{number}", name, self.main, number)
        host = Host(
            name=name, hostname=f"gpuhost{number}", main_address=f"{SUBNET}.{number}.1",
            address=f"{SUBNET}.{number}.2", link=link, var_dir=self.workdir / f"host{number}",
        )  # fmt: skip
        host.var_dir.mkdir()
        self.hosts.append(host)
        return host

    def start_workers(
        self,
        host: Host,
        *,
        env: dict[str, str] | None = None,
        wrapper: tuple[str, ...] = (),
        hide: Path | None = None,
        cpu_workers: int = 1,
    ) -> None:
        """``runworkers`` on the host, from its own ``var/``, with only the database and Redis of main.

        ``hide``: a folder this host does not have (an empty file system is mounted over it, in the
        host's own mount namespace), as a machine that was never given a dataset.
        """
        host.log = host.var_dir / "runworkers.log"
        hiding = [f"mount -t tmpfs gaweb-nothing {hide} &&"] if hide else []
        command = " ".join(
            [f"hostname {host.hostname} &&", *hiding, "exec", *wrapper, sys.executable, "manage.py", "runworkers",
             "--cpu-workers", str(cpu_workers)]
        )  # fmt: skip
        host.process = subprocess.Popen(
            ["ip", "netns", "exec", host.name, "unshare", "--uts", "--mount", "sh", "-c", command],
            cwd=ROOT, stdout=host.log.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
            env={**self.base_env(host.main_address), "GAWEB_VAR_DIR": str(host.var_dir), **(env or {})},
        )  # fmt: skip

    def stop_workers(self, host: Host) -> None:
        if host.process is None or host.process.poll() is not None:
            return
        os.killpg(host.process.pid, signal.SIGTERM)
        try:
            host.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(host.process.pid, signal.SIGKILL)
            host.process.wait()

    # --- The end ---------------------------------------------------------------------------------

    def close(self) -> None:
        for host in self.hosts:
            with contextlib.suppress(ProcessLookupError):
                self.stop_workers(host)
        for process in self.processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.pg_data is not None and (self.pg_data / "postmaster.pid").exists():
            _run("runuser", "-u", "postgres", "--", _pg_program("pg_ctl"), "-D", str(self.pg_data), "-m", "immediate",
                 "stop", check=False)  # fmt: skip
        for namespace in self.namespaces:
            for pid in _run("ip", "netns", "pids", namespace, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            _run("ip", "netns", "del", namespace, check=False)
        for link in self.links:  # gone with their namespaces, but for the one in the test's own
            _run("ip", "link", "del", link, check=False)
        if self.pg_data is not None:
            shutil.rmtree(self.pg_data.parent, ignore_errors=True)
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.close()  # releases the flock


class WebClient:
    """A signed-in user of the web server on main, over HTTP from the test process."""

    def __init__(self, base_url: str):
        import http.cookiejar
        import urllib.request

        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def request(self, path: str, *, data: bytes | None = None, content_type: str = "application/json") -> bytes:
        import urllib.request

        headers = {"Referer": self.base_url + "/"}
        if data is not None:
            headers.update({"X-CSRFToken": self._csrf(), "Content-Type": content_type})
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers)
        with self.opener.open(request, timeout=30) as response:
            return response.read()

    def sign_in(self, username: str, password: str) -> None:
        import urllib.parse

        self.request("/accounts/login/")
        form = urllib.parse.urlencode({"username": username, "password": password}).encode()
        self.request("/accounts/login/", data=form, content_type="application/x-www-form-urlencoded")

    def create_search(self, spec: dict) -> int:
        import json

        return json.loads(self.request("/api/searches/", data=json.dumps(spec).encode()))["id"]

    def state(self, search_id: int) -> dict:
        import json

        return json.loads(self.request(f"/api/searches/{search_id}/"))
