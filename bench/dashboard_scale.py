"""Time of the dashboard's state endpoint and page at growing numbers of entities.

Writes finished synthetic searches straight to a fresh SQLite database (nothing is
trained), then times, in this process through Django's full request handling:

* ``GET /api/searches/<id>/``: the whole state (what the dashboard fetches when something moved),
  built afresh, and served from the cache to every other client of the same version;
* ``GET /api/searches/<id>/?version=<current>``: the "unchanged" answer of every other poll;
* ``GET /searches/<id>/``: the page itself;

and counts each one's database queries. Run:

    .venv/bin/python bench/dashboard_scale.py                      # 100 to 10,000 entities, about 1 minute
    .venv/bin/python bench/dashboard_scale.py --sizes 100,1000,10000,100000   # about 5 minutes more
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, percentile, setup_django, shown
from _plots import plot_dashboard_scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "dashboard_scale.json")
    parser.add_argument("--replot", action="store_true", help="only draw the PNG again from the JSON")
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

    from searches.simulate import simulated_search

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    results = []
    print(f"{'entities':>9} {'endpoint':<13} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>11}")
    for size in [int(s) for s in args.sizes.split(",")]:
        began = time.perf_counter()
        search = simulated_search(entities=size, population=min(100, size))
        written = time.perf_counter() - began
        version = client.get(f"/api/searches/{search.pk}/").json()["version"]
        urls = {
            "state": f"/api/searches/{search.pk}/",  # built afresh: the first client after a change
            "state-cached": f"/api/searches/{search.pk}/",  # every other client of the same version
            "unchanged": f"/api/searches/{search.pk}/?version={version}",
            "page": f"/searches/{search.pk}/",
        }
        for name, url in urls.items():
            client.get(url)  # warm
            times = []
            for _ in range(args.requests):
                if name == "state":
                    cache.clear()
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if name == "state":
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            row = {
                "entities": size, "endpoint": name, "median_ms": statistics.median(times),
                "p95_ms": percentile(times, 0.95), "queries": len(queries), "bytes": len(response.content),
                "seconds_to_write_rows": written,
            }  # fmt: skip
            results.append(row)
            print(
                f"{size:>9,} {name:<13} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
                f"{row['queries']:>8} {row['bytes']:>11,}",
                flush=True,
            )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "benchmark": "dashboard_scale", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "database": "SQLite",
        "requests_per_point": args.requests, "results": results,
    }, indent=2) + "\n")  # fmt: skip
    plot_dashboard_scale(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
    print(f"written {shown(args.output)}")


if __name__ == "__main__":
    main()
