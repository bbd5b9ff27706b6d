"""A seeded chaos campaign: several searches on several hosts, with faults drawn at random, then
the invariants that must hold whatever happened.

The multi-host tests' harness (``tests/multihost/cluster.py``) makes "main" (PostgreSQL, Redis,
gunicorn) and ``--hosts`` worker hosts in Linux network namespaces, each running ``runworkers``
from its own ``var/``; the last host is never given the image-folder dataset (a host without a
search's dataset). For ``--minutes``, the campaign keeps ``--concurrent`` searches running, drawn
in turn from a mix that covers both modes, every strategy, both early-stopping rules, ``confirm``,
a baseline, ``immigrants: 0``, duplicates (a space smaller than the search) and a final training,
and injects a fault every few seconds, drawn from ``--seed``:

* ``kill_training``: SIGKILL of a training process (a Celery pool child);
* ``kill_worker``: SIGKILL of a Celery worker's main process;
* ``kill_supervisor``: SIGKILL of a host's ``runworkers``, started again 3 s later (as systemd would);
* ``freeze_host``: SIGSTOP of every process of a host, SIGCONT past the stale timeout;
* ``cut_link``: a host's link to main taken down, and up again 10 to 20 s later;
* ``restart_redis`` and ``restart_postgres``: main's services restarted (Redis keeps nothing);
* ``duplicate_name``: a second ``runworkers`` started on a host under its name (it must refuse);
* ``cancel``: a running search cancelled through the API.

The first faults go through every kind once, in an order drawn from the seed; then kinds are
drawn at random. When the time is up every fault is undone (links up, hosts thawed), no new
search starts, and each search must end within ``--settle`` seconds. Then the invariants, printed
as a table and written to ``--output``:

* every search ended (completed, cancelled, or failed with its reason) within the bound;
* no entity is left queued or running (none lost), and no result recorded twice (an entity's
  epochs in its history appear once each; a final training has one model at most);
* no genome trained twice in a search, confirmations and final trainings aside;
* every host's supervisor is alive: none exited because of a search;
* the dashboard's counts equal the database's: the board kept by the web server through every
  fault against a board built afresh from the database, and the progress counts against SQL;
* every page of every search's leaderboard answers.

    sudo .venv/bin/python bench/chaos.py --seed 1 --minutes 30    # root, for the namespaces
    sudo .venv/bin/python bench/chaos.py --seed 7 --minutes 1.5 --settle 240 --output /tmp/chaos.json

Exits 1 when an invariant failed (the seed reproduces the draw of faults and searches).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from _common import ROOT

sys.path.insert(0, str(ROOT))
from tests.multihost.cluster import Cluster, Host, WebClient, unavailable

OUTPUT = ROOT / "docs" / "benchmarks" / "chaos.json"
FAULT_KINDS = (
    "kill_training", "kill_worker", "kill_supervisor", "freeze_host", "cut_link",
    "restart_redis", "restart_postgres", "duplicate_name", "cancel",
)  # fmt: skip
# Short timeouts, so that a host cut off or frozen is found out in seconds (the defaults are minutes).
FAST = {
    "GAWEB_HEARTBEAT_SECONDS": "1", "GAWEB_STALE_AFTER_SECONDS": "8", "GAWEB_RECONCILE_SECONDS": "2",
    "GAWEB_RESEND_AFTER_SECONDS": "5",
}  # fmt: skip
STALE_SECONDS = 8
ENDED = ("completed", "cancelled", "failed")

UNITS = {"name": "units", "type": "geometric_int", "low": 8, "high": 256, "step": 2}
RATE = {"name": "rate", "type": "geometric_float", "low": 0.0001, "high": 0.1}
OPTIMIZER = {"name": "optimizer", "type": "choice", "choices": ["sgd", "adam", "rmsprop"]}
TINY = [{"name": "a", "type": "choice", "choices": ["x", "y", "z"]}, {"name": "b", "type": "bool"}]  # 6 genomes


def _synthetic(name: str, ga: dict, *, epochs: int = 1, delay: float = 1.0, traits=None, **training) -> dict:
    return {
        "name": name, "objective": "synthetic", "dataset": "digits", "traits": traits or [UNITS, RATE, OPTIMIZER],
        "ga": ga, "training": {"epochs": epochs, "synthetic_delay": delay, "synthetic_delay_cv": 0.5, **training},
    }  # fmt: skip


def search_mix(folder_dataset: str) -> list[tuple[str, dict]]:
    """The searches the campaign runs in turn: together they cover the settings that meet faults."""
    elite = {"elite_previous": 3, "elite_all_time": 3}
    return [
        ("generational genetic, median stopping, confirm 2", _synthetic(
            "chaos gen-genetic", {"population": 8, "generations": 3, **elite, "confirm": 2}, epochs=3,
            early_stopping={"rule": "median", "min_epochs": 1, "warmup": 2})),
        # The trigger of the bug that once stopped every supervisor: no immigrants, a population
        # no larger than the workers + 1, in steady state.
        ("steady-state genetic, immigrants 0", _synthetic(
            "chaos ss-immigrants-0", {"population": 4, "generations": 4, "elite_previous": 2, "elite_all_time": 2,
                                      "immigrants": 0, "mode": "steady_state"})),
        ("steady-state surrogate, successive halving", _synthetic(
            "chaos ss-surrogate", {"population": 6, "generations": 4, **elite, "strategy": "surrogate",
                                   "mode": "steady_state"}, epochs=3,
            early_stopping={"rule": "successive_halving", "min_epochs": 1, "reduction": 3})),
        ("generational TPE, duplicates cached", _synthetic(
            "chaos gen-tpe-dup", {"population": 5, "generations": 3, **elite, "strategy": "tpe",
                                  "duplicates": "cache"}, traits=TINY)),
        ("random, a space smaller than the search", _synthetic(
            "chaos random-tiny", {"population": 4, "generations": 3, **elite, "strategy": "random"}, traits=TINY)),
        ("keras on digits, baseline, then final training", {
            "name": "chaos keras-final", "objective": "keras", "dataset": "digits", "baseline": True,
            "traits": [{"name": "dense1_units", "type": "geometric_int", "low": 16, "high": 64, "step": 2}],
            "ga": {"population": 3, "generations": 2, "elite_previous": 2, "elite_all_time": 2},
            "training": {"epochs": 1}, "final": {"top_k": 1, "epochs": 1},
        }),
        ("image folder the last host lacks", _synthetic(
            "chaos folder", {"population": 6, "generations": 2, **elite}) | {"dataset": folder_dataset}),
    ]  # fmt: skip


@dataclass
class Campaign:
    cluster: Cluster
    rng: random.Random
    client: WebClient
    log: list[dict] = field(default_factory=list)
    searches: dict[int, dict] = field(default_factory=dict)  # id -> what it is, and its end
    pending: list[tuple[float, str, Host]] = field(default_factory=list)  # (when, what, host) to undo
    busy: dict[str, float] = field(default_factory=dict)  # host name -> a fault on it is undone at
    restarted: Counter = field(default_factory=Counter)
    missing: list[dict] = field(default_factory=list)  # supervisors found gone when a fault looked for them
    quiet_until: float = 0.0  # a worker's name may not answer before this (Redis or the worker restarting)
    started: float = field(default_factory=time.monotonic)

    def note(self, kind: str, **detail) -> bool:
        """Log an event; False for a fault that found nothing to hit (``skipped``)."""
        entry = {"t": round(time.monotonic() - self.started, 1), "kind": kind, **detail}
        self.log.append(entry)
        print(f"  {entry['t']:7.1f} s  {kind:17} {json.dumps(detail)[:140]}", flush=True)
        return "skipped" not in detail

    @property
    def injected(self) -> Counter:
        return Counter(e["kind"] for e in self.log if e["kind"] in FAULT_KINDS and "skipped" not in e)

    # --- Processes on a host -------------------------------------------------------------------

    def processes(self, host: Host) -> dict[str, list[psutil.Process]]:
        """The host's supervisor, its Celery workers' main processes, and their training processes."""
        found = {"supervisor": [], "worker": [], "training": []}
        pids = subprocess.run(["ip", "netns", "pids", host.name], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                process = psutil.Process(int(pid))
                line = " ".join(process.cmdline())
                parent = process.parent()
                parent_line = " ".join(parent.cmdline()) if parent else ""
            except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
                continue
            if "runworkers" in line:
                found["supervisor"].append(process)
            elif "celery" in line and "celery" in parent_line:
                found["training"].append(process)
            elif "celery" in line:
                found["worker"].append(process)
        return found

    def live_hosts(self) -> list[Host]:
        now = time.monotonic()
        return [host for host in self.cluster.hosts if self.busy.get(host.name, 0) <= now]

    # --- Faults ------------------------------------------------------------------------------------

    def inject(self, kind: str) -> bool:
        hosts = self.live_hosts()
        host = self.rng.choice(hosts) if hosts else None
        if kind in ("kill_training", "kill_worker"):
            targets = self.processes(host)["training" if kind == "kill_training" else "worker"] if host else []
            if not targets:
                return self.note(kind, skipped="no such process running now")
            victim = self.rng.choice(targets)
            victim.send_signal(signal.SIGKILL)
            if kind == "kill_worker":  # its name answers again once the supervisor has restarted it
                self.quiet_until = max(self.quiet_until, time.monotonic() + 15)
            return self.note(kind, host=host.hostname, pid=victim.pid)
        if kind == "kill_supervisor" and host:
            supervisors = self.processes(host)["supervisor"]
            if not supervisors:  # gone before the fault: what the invariants must see, not restart
                self.missing.append({"t": round(time.monotonic() - self.started, 1), "host": host.hostname})
                return self.note(kind, host=host.hostname, skipped="its supervisor was already gone")
            for process in supervisors:
                process.send_signal(signal.SIGKILL)
            self._hold(host, 3.0, "restart_supervisor")
            return self.note(kind, host=host.hostname, pids=[p.pid for p in supervisors])
        if kind == "freeze_host" and host:
            self._signal_host(host, signal.SIGSTOP)
            self._hold(host, STALE_SECONDS + self.rng.uniform(2, 8), "thaw")
            return self.note(kind, host=host.hostname)
        if kind == "cut_link" and host:
            self.cluster.set_link(host, up=False)
            self._hold(host, self.rng.uniform(10, 20), "link_up")
            return self.note(kind, host=host.hostname)
        if kind == "restart_redis":
            self.cluster.restart_redis()
            self.quiet_until = max(self.quiet_until, time.monotonic() + 15)  # the workers reconnect
            return self.note(kind)
        if kind == "restart_postgres":
            self.cluster.restart_postgres()
            return self.note(kind)
        if kind == "duplicate_name" and host:
            if time.monotonic() < self.quiet_until:  # the refusal asks the broker who answers to the name
                return self.note(kind, skipped="a worker or Redis restarting: the name may not answer yet")
            return self._duplicate(host)
        if kind == "cancel":
            running = [sid for sid, s in self.searches.items() if s.get("end") is None and not s.get("cancelled")]
            if not running:
                return self.note(kind, skipped="no search running")
            search_id = self.rng.choice(running)
            try:
                self.client.request(f"/api/searches/{search_id}/cancel/", data=b"{}")
                self.searches[search_id]["cancelled"] = True
                return self.note(kind, search=search_id)
            except urllib.error.HTTPError as error:  # it ended meanwhile (409)
                return self.note(kind, search=search_id, answer=error.code)
        return self.note(kind, skipped="every host is under another fault")

    def _hold(self, host: Host, seconds: float, undo: str) -> None:
        at = time.monotonic() + seconds
        self.busy[host.name] = at
        self.pending.append((at, undo, host))

    def _signal_host(self, host: Host, sig: int) -> None:
        for pid in subprocess.run(["ip", "netns", "pids", host.name], capture_output=True, text=True).stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), sig)

    def _duplicate(self, host: Host) -> bool:
        """A second ``runworkers`` under the host's name: it must refuse to start, and say why."""
        command = f"hostname {host.hostname} && exec {sys.executable} manage.py runworkers --cpu-workers 1"
        env = {**self.cluster.base_env(host.main_address), "GAWEB_VAR_DIR": str(host.var_dir / "twin"), **FAST}
        try:
            twin = subprocess.run(
                ["ip", "netns", "exec", host.name, "unshare", "--uts", "sh", "-c", command],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            refused = twin.returncode != 0 and "already running" in twin.stdout + twin.stderr
            return self.note("duplicate_name", host=host.hostname, refused=refused, rc=twin.returncode)
        except subprocess.TimeoutExpired:  # killed by the timeout (``ip netns exec`` execs down to Python)
            return self.note("duplicate_name", host=host.hostname, refused=False, rc="still running after 60 s")

    def undo_due(self, *, everything: bool = False) -> None:
        now = time.monotonic()
        due = [p for p in self.pending if everything or p[0] <= now]
        self.pending = [p for p in self.pending if p not in due]
        for _, undo, host in due:
            if undo == "thaw":
                self._signal_host(host, signal.SIGCONT)
            elif undo == "link_up":
                self.cluster.set_link(host, up=True)
            elif undo == "restart_supervisor":
                self.restart_host(host)
            self.busy.pop(host.name, None)
            self.note(undo, host=host.hostname)

    def restart_host(self, host: Host) -> None:
        """``runworkers`` again on a host whose supervisor was killed (its old process object reaped)."""
        if host.process is not None:
            host.process.poll()
        hide = self.cluster.data_dir if host is self.cluster.hosts[-1] else None
        self.cluster.start_workers(host, env=FAST, hide=hide)
        self.restarted[host.hostname] += 1

    # --- Searches --------------------------------------------------------------------------------

    def start_search(self, label: str, spec: dict) -> None:
        spec = json.loads(json.dumps(spec)) | {"seed": self.rng.randrange(1, 10_000)}
        try:
            search_id = self.client.create_search(spec)
        except (urllib.error.URLError, OSError) as error:  # main's services restarting: try the next round
            return self.note("search_not_started", search=label, error=str(error)[:100])
        self.searches[search_id] = {"label": label, "objective": spec["objective"], "final": "final" in spec}
        self.note("search_started", search=search_id, label=label)

    def poll_searches(self) -> None:
        for search_id, search in self.searches.items():
            if search.get("end") is not None:
                continue
            status = self.status(search_id)
            if status is None:
                continue
            if status in ENDED and search["final"] and status == "completed" and not search.get("final_asked"):
                search["final_asked"] = self.ask_final(search_id)
                continue
            if status in ENDED and (not search.get("final_asked") or self.finals_ended(search_id)):
                search["end"] = time.monotonic()
                search["status"] = status
                if status == "failed":
                    search["error"] = self.error(search_id)
                    self.note("search_ended", search=search_id, status=status, error=search["error"][:300])
                else:
                    self.note("search_ended", search=search_id, status=status)

    def status(self, search_id: int) -> str | None:
        try:
            return self.cluster.query("select status from searches_search where id = %s", search_id)[0][0]
        except Exception:  # PostgreSQL restarting
            return None

    def error(self, search_id: int) -> str:
        try:
            return self.cluster.query("select error from searches_search where id = %s", search_id)[0][0]
        except Exception as error:  # PostgreSQL restarting
            return f"(not read: {error})"

    def ask_final(self, search_id: int) -> bool:
        try:
            form = "application/x-www-form-urlencoded"
            self.client.request(f"/searches/{search_id}/final/", data=b"", content_type=form)
        except (urllib.error.URLError, OSError) as error:
            self.note("final_not_asked", search=search_id, error=str(error)[:100])
            return False
        self.note("final_asked", search=search_id)
        return True

    def finals_ended(self, search_id: int) -> bool:
        try:
            rows = self.cluster.query(
                "select count(*) filter (where status in ('queued', 'running')) from searches_entity"
                " where search_id = %s and origin = 'final'", search_id,
            )  # fmt: skip
        except Exception:
            return False
        return rows[0][0] == 0

    def running(self) -> list[int]:
        return [sid for sid, s in self.searches.items() if s.get("end") is None]


# --- The invariants ---------------------------------------------------------------------------------


def invariants(campaign: Campaign, *, faults_stopped: float, settle: float) -> list[dict]:
    cluster, searches = campaign.cluster, campaign.searches
    checks = []

    def check(name: str, held: bool, detail) -> None:
        checks.append({"invariant": name, "held": bool(held), "detail": detail})

    late = {sid: s.get("status") or "not ended" for sid, s in searches.items()
            if s.get("end") is None or s["end"] - faults_stopped > settle}  # fmt: skip
    failed_without_reason = [sid for sid, in cluster.query(
        "select id from searches_search where status = 'failed' and error = ''")]  # fmt: skip
    check(
        f"every search ended within {settle:.0f} s of the last fault (failed ones with a reason)",
        not late and not failed_without_reason,
        {"late": late, "failed_without_reason": failed_without_reason},
    )

    lost = cluster.query(
        "select e.search_id, e.id, e.status from searches_entity e join searches_search s on s.id = e.search_id"
        " where e.status in ('queued', 'running') or (e.status = 'cached' and e.finished_at is null"
        " and s.status = 'completed')")  # fmt: skip
    check("no entity lost (none left queued or running)", not lost, lost[:10])

    histories = cluster.query("select id, history from searches_entity where jsonb_array_length(history) > 0")
    twice = [entity for entity, history in histories if len({h.get("epoch") for h in history}) != len(history)]
    finals = cluster.query(
        "select search_id, replicate_of_id, count(*) from searches_entity where origin = 'final'"
        " and status <> 'failed' group by search_id, replicate_of_id having count(*) > 1"
    )
    check(
        "no result recorded twice (one entry per epoch; one final training per finalist)",
        not twice and not finals,
        {"epochs_twice": twice[:10], "finals_twice": finals[:10]},
    )

    trained_twice = cluster.query(
        "select search_id, genome_hash, count(*) from searches_entity where status in ('done', 'stopped', 'failed')"
        " and origin not in ('confirmation', 'final', 'baseline') group by search_id, genome_hash having count(*) > 1"
    )
    check(
        "no genome trained twice in a search (confirmations, baselines and final trainings aside)",
        not trained_twice,
        trained_twice[:10],
    )

    dead = {}
    for host in cluster.hosts:
        supervisors = campaign.processes(host)["supervisor"]
        log = host.log.read_text(errors="replace") if host.log and host.log.exists() else ""
        if not supervisors or "Traceback" in log:
            dead[host.hostname] = log[-600:] if log else "no log"
    for gone in campaign.missing:
        dead.setdefault(gone["host"], f"its supervisor was gone when a fault looked for it, at {gone['t']} s")
    check("every host's supervisor is alive (none exited because of a search)", not dead, dead)

    twins = unrefused_twins(campaign.log)
    check("a second supervisor under a live worker's name was refused, every time", not twins, twins)

    mismatched = dashboard_mismatches(campaign)
    check("the dashboard's counts equal the database's", not mismatched, mismatched)

    unanswered = leaderboard_failures(campaign)
    check("every page of every leaderboard answers", not unanswered, unanswered)
    return checks


FRESH_BOARD = """
import json
from searches.models import Search
from searches.live import state
from searches.reads.selectors import search_progress
out = {}
for search in Search.objects.filter(pk__in=IDS):
    board = state.board_catch_up(search, None)
    out[search.pk] = {"points": len(board.points), "ranked": board.ranked_count,
                      "top": [row["id"] for row in board.leaderboard(offset=0)], "progress": search_progress(search)}
print(json.dumps(out))
"""


def dashboard_mismatches(campaign: Campaign) -> dict:
    """The web server's state (its board kept through every fault) against a board built afresh."""
    ids = list(campaign.searches)
    fresh = campaign.cluster.manage("shell", "-c", FRESH_BOARD.replace("IDS", repr(ids)))
    if fresh.returncode != 0:
        return {"fresh board": fresh.stderr[-800:]}
    expected = json.loads(fresh.stdout.strip().splitlines()[-1])
    mismatched = {}
    for search_id in ids:
        state = campaign.client.state(search_id)
        page = json.loads(campaign.client.request(f"/api/searches/{search_id}/leaderboard/?offset=0"))
        want = expected[str(search_id)]
        seen = {
            "points": state["base"]["seq"], "ranked": page["total"], "top": [row["id"] for row in page["rows"]],
            "progress": {k: v for k, v in state["progress"].items() if k in want["progress"]},
        }  # fmt: skip
        want["progress"] = {k: v for k, v in want["progress"].items() if k in seen["progress"]}
        if seen != want:
            mismatched[search_id] = {"dashboard": seen, "database": want}
    return mismatched


def leaderboard_failures(campaign: Campaign) -> dict:
    failures = {}
    for search_id in campaign.searches:
        offset, total = 0, None
        while total is None or offset < total:
            try:
                page = json.loads(campaign.client.request(f"/api/searches/{search_id}/leaderboard/?offset={offset}"))
            except (urllib.error.URLError, OSError, ValueError) as error:
                failures[search_id] = f"offset {offset}: {error}"
                break
            total = page["total"]
            if total and not page["rows"]:
                failures[search_id] = f"offset {offset}: no rows of {total}"
                break
            offset += page["size"]
    return failures


# --- The run ------------------------------------------------------------------------------------------


def _client(cluster: Cluster) -> WebClient:
    made = cluster.manage(
        "shell", "-c",
        "from django.contrib.auth import get_user_model as g; "
        "g().objects.filter(username='chaos').exists() or g().objects.create_user('chaos', password='chaos-monkey-9')",
    )  # fmt: skip
    if made.returncode != 0:
        raise RuntimeError(made.stderr[-2000:])
    client = WebClient(cluster.web_url)
    client.sign_in("chaos", "chaos-monkey-9")
    return client


def unrefused_twins(log: list[dict]) -> list[dict]:
    """The twin supervisors that ran instead of being refused. A twin never started (``skipped``: a
    worker or Redis was restarting, so the name might not answer yet) was not refused, nor did it run."""
    return [e for e in log if e["kind"] == "duplicate_name" and "skipped" not in e and not e.get("refused")]


def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="gaweb-chaos-"))
    cluster = Cluster(workdir)
    try:
        cluster.start_main()
        migrated = cluster.manage("migrate", "--noinput")
        if migrated.returncode != 0:
            raise RuntimeError(migrated.stderr[-3000:])
        cluster.start_web()
        for name in ("cats", "dogs"):
            (cluster.data_dir / "pets" / name).mkdir(parents=True, exist_ok=True)
        for number in range(1, args.hosts + 1):
            hide = cluster.data_dir if number == args.hosts else None  # the last host lacks the folder
            cluster.start_workers(cluster.add_host(number), env=FAST, hide=hide)
        campaign = Campaign(cluster, rng, _client(cluster))
        mix = search_mix(f"folder:{cluster.data_dir / 'pets'}")
        order = rng.sample(range(len(mix)), len(mix))
        kinds = rng.sample(FAULT_KINDS, len(FAULT_KINDS))  # every kind once first, then at random
        print(f"seed {args.seed}: {args.hosts} hosts, {args.minutes} min of faults, {args.concurrent} searches at once")

        deadline = time.monotonic() + args.minutes * 60
        next_fault = time.monotonic() + rng.uniform(*args.gap)
        started = 0
        while time.monotonic() < deadline:
            campaign.undo_due()
            campaign.poll_searches()
            while len(campaign.running()) < args.concurrent:
                label, spec = mix[order[started % len(order)]]
                campaign.start_search(label, spec)
                started += 1
                if len(campaign.running()) < args.concurrent and started % len(order) == 0:
                    break  # not started (main restarting): try again next round
            if time.monotonic() >= next_fault:
                kind = kinds.pop(0) if kinds else rng.choice(FAULT_KINDS)
                if not campaign.inject(kind) and kind not in campaign.injected:
                    kinds.insert(0, kind)  # nothing to hit now (no training running, say): this kind again next
                next_fault = time.monotonic() + rng.uniform(*args.gap)
            time.sleep(0.5)

        campaign.undo_due(everything=True)
        faults_stopped = time.monotonic()
        campaign.note("faults_stopped")
        while campaign.running() and time.monotonic() - faults_stopped < args.settle:
            campaign.poll_searches()
            time.sleep(1)
        checks = invariants(campaign, faults_stopped=faults_stopped, settle=args.settle)
        statuses = Counter(s.get("status") or "not ended" for s in campaign.searches.values())
        entities = cluster.query(
            "select status, count(*) from searches_entity group by status order by status")  # fmt: skip
        return {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "seed": args.seed, "hosts": args.hosts, "minutes": args.minutes, "settle_seconds": args.settle,
            "concurrent": args.concurrent,
            "faults_injected": dict(sorted(campaign.injected.items())),
            "faults_skipped": sum(1 for e in campaign.log if "skipped" in e),
            "searches": {"started": len(campaign.searches), **dict(sorted(statuses.items()))},
            "searches_by_kind": dict(Counter(s["label"] for s in campaign.searches.values())),
            "failed_searches": {sid: {"label": s["label"], "error": s.get("error", "")}
                                for sid, s in campaign.searches.items() if s.get("status") == "failed"},
            "entities_by_status": dict(entities),
            "failed_entities": [list(row) for row in cluster.query(
                "select search_id, id, origin, attempts, left(error, 200) from searches_entity where status = 'failed'"
            )],
            "supervisors_restarted_after_a_kill": dict(campaign.restarted),
            "settled_in_seconds": round(max([s["end"] for s in campaign.searches.values() if s.get("end")]
                                            + [faults_stopped]) - faults_stopped, 1),
            "invariants": checks,
            "log": campaign.log,
        }  # fmt: skip
    finally:
        cluster.close()


def print_report(result: dict) -> None:
    print(f"\nseed {result['seed']}, {result['minutes']} min of faults on {result['hosts']} hosts")
    print("faults injected: " + ", ".join(f"{k} {v}" for k, v in result["faults_injected"].items()))
    print("searches: " + ", ".join(f"{k} {v}" for k, v in result["searches"].items()))
    print(f"every search ended {result['settled_in_seconds']} s after the last fault\n")
    print("| invariant | held |\n|---|---|")
    for check in result["invariants"]:
        print(f"| {check['invariant']} | {'yes' if check['held'] else 'NO: ' + json.dumps(check['detail'])[:400]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="draws the faults, their targets and the searches")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long faults are injected")
    parser.add_argument("--hosts", type=int, default=3, help="worker hosts (the last lacks the image folder)")
    parser.add_argument("--concurrent", type=int, default=3, help="searches running at a time")
    parser.add_argument("--gap", type=float, nargs=2, default=(4.0, 12.0), help="seconds between faults (uniform)")
    parser.add_argument("--settle", type=float, default=300.0, help="bound on a search's end after the last fault")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    why = unavailable()
    if why:
        sys.exit(f"cannot run the campaign here: {why}")
    if args.hosts < 2:
        sys.exit("--hosts must be 2 or more (the last host lacks the image folder)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the cluster is taken down on the way out
    result = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print_report(result)
    print(f"\nwritten to {args.output}")
    sys.exit(0 if all(check["held"] for check in result["invariants"]) else 1)


if __name__ == "__main__":
    main()
