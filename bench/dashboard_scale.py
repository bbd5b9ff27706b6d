"""Time and size of the dashboard's state endpoint at growing numbers of entities.

Writes synthetic searches straight to a fresh SQLite database (nothing is trained; the last
generation is left queued), then times, in this process through Django's full request handling:

* ``first-look-ever``: ``GET /api/searches/<id>/`` with nothing kept anywhere: the board is
  built from every ended candidate (what the first look at a search pays where no machine's
  reconciler and no web process has kept its board in the database yet);
* ``first-look``: the same from a process that has never seen the search, its board kept in
  the database (``searches.live.snapshot``): read back, and what ended since folded in (what
  each new gunicorn process, or one restarted, pays);
* ``update``: one more candidate ends (claimed and recorded through the services, as a worker
  does), and a watching client asks with ``?version=<its>&since=<its base>``: it gets only what
  changed (a delta);
* ``whole-after-change``: after such a change, a client with no copy gets the whole state
  (the board caught up incrementally, the state encoded whole);
* ``unchanged``: ``?version=<current>``, the answer of every other poll;
* ``page``: ``GET /searches/<id>/``;
* ``leaderboard-page``: ``GET /api/searches/<id>/leaderboard/?offset=N`` at offsets drawn over
  the whole ranking, from the board this process keeps;
* ``leaderboard-first``: the same from a process that has never seen the search (the board read
  back from the database first);

and counts each one's database queries and bytes. Run:

    .venv/bin/python bench/dashboard_scale.py                            # 1,000 and 10,000 entities: about 2 minutes
    .venv/bin/python bench/dashboard_scale.py --sizes 1000,10000,100000  # and 100,000: a few minutes more
    .venv/bin/python bench/dashboard_scale.py --browser                  # and the page's draw in headless Chromium

With ``--browser``, each search's page is also opened twice in headless Chromium (Debian's
``chromium``; served from this process): when its state arrived and when every chart was drawn,
since the page began loading (the first look after nothing was kept on the server, then again),
and whether any chart stayed blank or any WebGL context was used or lost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, percentile, setup_django, shown
from _plots import plot_dashboard_scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "dashboard_scale.json")
    parser.add_argument("--replot", action="store_true", help="only draw the PNG again from the JSON")
    parser.add_argument("--browser", action="store_true", help="also time the page's draw in headless Chromium")
    args = parser.parse_args()
    if args.replot:
        plot_dashboard_scale(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
        return
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-bench-")))
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from searches import services
    from searches.live import cache as state_cache
    from searches.live import dashboard
    from searches.models import BoardSnapshot, Entity
    from tests.simulate import simulated_search

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    results, draws = [], []
    if args.browser:
        from _browser_draw import draw_times, serve

        site = serve()
    print(f"{'entities':>9} {'endpoint':<19} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>11}")

    def timed(size: int, name: str, request, times: list[float], response, queries) -> None:
        row = {
            "entities": size, "endpoint": name, "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95), "queries": queries, "bytes": len(response.content),
        }  # fmt: skip
        results.append(row)
        print(f"{size:>9,} {name:<19} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
              f"{row['queries']:>8} {row['bytes']:>11,}", flush=True)  # fmt: skip

    for size in [int(s) for s in args.sizes.split(",")]:
        population = min(1000, max(100, size // 20))
        search = simulated_search(entities=size + population, population=population, last_generation_queued=True)
        queued = list(search.entities.filter(status=Entity.Status.QUEUED).values_list("pk", flat=True))
        state_url = f"/api/searches/{search.pk}/"

        def nothing_kept(*, anywhere: bool) -> None:
            state_cache.forget_all()
            cache.clear()
            if anywhere:
                BoardSnapshot.objects.all().delete()

        for name, anywhere, repeats in (("first-look-ever", True, 3), ("first-look", False, args.requests)):
            times = []
            for _ in range(repeats):
                nothing_kept(anywhere=anywhere)
                started = time.perf_counter()
                response = client.get(state_url)
                times.append((time.perf_counter() - started) * 1000)
            nothing_kept(anywhere=anywhere)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(state_url)
            timed(size, name, state_url, times, response, len(captured))
        state = response.json()

        # One more candidate ends, again and again; the watching client gets the deltas.
        def one_more_ends(queued=queued) -> None:
            pk = queued.pop()
            services.entity_claim(entity_id=pk, worker="bench@sim")
            services.entity_record_result(entity_id=pk, accuracy=0.5, parameter_count=1000, train_seconds=1.0)
            time.sleep(state_cache.FRESH_FOR_SECONDS)  # a real poll comes a second later

        times, queries = [], 0
        for _ in range(args.requests):
            one_more_ends()
            url = f"{state_url}?version={state['version']}&since={state['base']['token']}:{state['base']['seq']}"
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            body = response.json()
            assert body["delta"], "the update was not a delta"
            state = {**state, "version": body["version"], "base": body["base"]}
            queries = len(captured)
        timed(size, "update", url, times, response, queries)

        times = []
        for _ in range(max(3, args.requests // 3)):
            one_more_ends()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(state_url)
                times.append((time.perf_counter() - started) * 1000)
        timed(size, "whole-after-change", state_url, times, response, len(captured))

        version = response.json()["version"]
        for name, url in (("unchanged", f"{state_url}?version={version}"), ("page", f"/searches/{search.pk}/")):
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            timed(size, name, url, times, response, len(captured))

        # Pages of the leaderboard, anywhere in the ranking: from the board kept, then from a new process.
        offsets = random.Random(size).choices(range(0, max(1, state["leaderboard_total"] - 25), 25), k=args.requests)
        for name, fresh in (("leaderboard-page", False), ("leaderboard-first", True)):
            times = []
            for offset in offsets:
                if fresh:
                    nothing_kept(anywhere=False)
                url = f"{state_url}leaderboard/?offset={offset}"
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert len(response.json()["rows"]) == 25, response.content[:200]
            if fresh:
                nothing_kept(anywhere=False)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            timed(size, name, url, times, response, len(captured))
        if args.browser:
            state_cache.forget_all()
            cache.clear()
            for look, row in enumerate(draw_times(site, search.pk, "bench", "bench-pass-1"), start=1):
                draws.append({"entities": size, "look": look, **row})
                print(f"{size:>9,} browser, look {look}: state after {row['state_arrived_ms']:.0f} ms, "
                      f"every chart drawn after {row['drawn_ms']:.0f} ms; "
                      f"blank charts {row['blank_charts']} of {row['charts']}, "
                      f"WebGL canvases {row['webgl_canvases']}, WebGL console lines {row['webgl_console_lines']}",
                      flush=True)  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "benchmark": "dashboard_scale", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "database": "SQLite",
        "requests_per_point": args.requests, "results": results, "browser": draws,
        "aggregate_above": dashboard.AGGREGATE_ABOVE,
    }, indent=2) + "\n")  # fmt: skip
    plot_dashboard_scale(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
    print(f"written {shown(args.output)}")


if __name__ == "__main__":
    main()
