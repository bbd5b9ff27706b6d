"""The screenshots in docs/: the dashboard (with its family tree), a 10,000-entity dashboard
(densities), and the comparison of three strategies, taken in headless Chromium.

    .venv/bin/python bench/screenshots.py        # about a minute; writes docs/*.png

Searches are synthetic (the reference space, scored by a known function) and run inline, so
that nothing is trained; the 10,000-entity one is written straight to the database.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from _common import ROOT, setup_django, shown

DOCS = ROOT / "docs"
PAGE_HEIGHT = "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output-dir", type=Path, default=DOCS)
    parser.add_argument("--entities", type=int, default=10_000, help="of the large search (its charts: densities)")
    parser.add_argument("--generations", type=int, default=8, help="of the three compared searches")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    setup_django(var_dir=Path(tempfile.mkdtemp(prefix="gaweb-screens-")))
    from _browser_draw import chromium, serve, sign_in
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from searches import services
    from searches.models import Search
    from searches.spec.presets import preset
    from tests.simulate import simulated_search
    from workers.inline import run_inline

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("ada", password="correct-horse-9")
    ids = []
    for strategy in ("genetic", "surrogate", "tpe"):
        spec = preset("synthetic")
        spec.update(name=f"reference space, {strategy}", seed=3)
        spec["ga"] = {**spec["ga"], "strategy": strategy, "generations": args.generations}
        ids.append(run_inline(services.search_create(spec=spec, owner=user, execution=Search.Execution.INLINE).pk).pk)
    big = simulated_search(entities=args.entities, population=min(1000, max(100, args.entities // 20)), owner=user)
    url = serve()
    driver = chromium()
    try:
        sign_in(driver, url, "ada", "correct-horse-9")
        _page(driver, f"{url}/searches/{ids[0]}/", args.output_dir / "dashboard.png")
        _page(driver, f"{url}/searches/{big.pk}/", args.output_dir / "dashboard_10000.png")
        chosen = "&".join(f"ids={pk}" for pk in ids)
        _page(driver, f"{url}/searches/compare/?{chosen}", args.output_dir / "compare.png", wait=False)
    finally:
        driver.quit()
    names = ("dashboard.png", "dashboard_10000.png", "compare.png")
    print("written", ", ".join(shown(args.output_dir / name) for name in names))


def _page(driver, address: str, path: Path, *, wait: bool = True) -> None:
    """The whole page, top to bottom, once every chart has drawn."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.set_window_size(1400, 1000)
    driver.get(address)
    if wait:
        WebDriverWait(driver, 120).until(lambda d: d.execute_script("return window.gawebFirstDraw !== undefined"))
    time.sleep(2 if wait else 4)  # the family tree is asked for after the first draw
    for _ in range(2):  # the page grows as the last charts take their heights
        height = driver.execute_script(PAGE_HEIGHT)
        driver.set_window_size(1400, min(height + 120, 6000))
        time.sleep(1.5)
    driver.save_screenshot(str(path))


if __name__ == "__main__":
    main()
