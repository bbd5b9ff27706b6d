"""A new user's CIFAR-10 search, from the form to the Final results table, in a real browser.

Starts ``manage.py up`` on a fresh var folder with ``GAWEB_CIFAR10_PATH`` set to CIFAR-10 with
a test split: the training split in ../shared/datasets with 1,000 images per class held out as
``test/`` by a fixed seed, as ``bench/cifar_budget.py`` holds them out (a user would have the
official test split). It signs in as the ``admin`` it creates, and in headless Chromium:
opens the list, takes the first CIFAR-10 search it offers (the recommended settings, with their
defaults untouched), starts it, lets it run ``--minutes``, presses **Finish now**, then **Train
the best on all data**, and reads the Final results table once every row is trained: the best's
test accuracy against the tutorial network's row, both trained by the same final training.

    .venv/bin/python bench/cifar_from_the_form.py --minutes 10     # about 25 minutes on 2 cores

It writes docs/benchmarks/cifar_from_the_form.json and a screenshot of the page beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, SHARED_CIFAR, TEST_PER_CLASS, cifar10_folder, held_out_layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the search runs before Finish now")
    parser.add_argument("--archive", type=Path, default=SHARED_CIFAR)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench", help="where the images are unpacked")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "cifar_from_the_form.json")
    args = parser.parse_args()
    unpacked = cifar10_folder(args.archive, args.work_dir / "cifar10")
    cifar10 = held_out_layout(unpacked, args.work_dir / f"cifar10-{TEST_PER_CLASS}-held-out")
    var = Path(tempfile.mkdtemp(prefix="gaweb-form-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GAWEB_VAR_DIR": str(var), "GAWEB_CIFAR10_PATH": str(cifar10)}
    env.pop("DATABASE_URL", None)
    log = open(var / "up.log", "w")  # noqa: SIM115 (up writes to it until it stops)
    up = subprocess.Popen(
        [sys.executable, "manage.py", "up", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        password = wait_for(lambda: re.search(r"account admin with password (\S+)", (var / "up.log").read_text()), 120)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url), 120)
        result = drive(url, password.group(1), args.minutes, args.output.with_suffix(".png"))
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
    result.update(date=time.strftime("%Y-%m-%d"), command="bench/cifar_from_the_form.py " + " ".join(sys.argv[1:]))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def drive(url: str, password: str, minutes: float, screenshot: Path) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,2400",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    wait = WebDriverWait(browser, 120)
    try:
        browser.get(url + "/accounts/login/")
        browser.find_element(By.NAME, "username").send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys(password)
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
        browser.get(url + "/")
        # The CIFAR-10 search the empty list offers first (its recommended settings).
        offer = next(a for a in browser.find_elements(By.CSS_SELECTOR, ".empty li a") if a.text.startswith("CIFAR-10"))
        preset = offer.get_attribute("href").split("?preset=")[-1]
        offer.click()
        wait.until(ready.visibility_of_element_located((By.ID, "editor")))
        browser.find_element(By.ID, "start").click()
        wait.until(ready.url_matches(r"/searches/\d+/$"))
        search_url = browser.current_url
        started = time.monotonic()
        print(f"{preset}: {search_url}, running for {minutes:g} minutes ...", flush=True)
        time.sleep(60 * minutes)
        browser.get(search_url)
        browser.find_element(By.ID, "finish").click()
        browser.switch_to.alert.accept()
        searched = time.monotonic() - started
        # The candidate in training when Finish now was pressed ends first; then the final training can start.
        train = WebDriverWait(browser, 1800, poll_frequency=5).until(
            ready.element_to_be_clickable((By.ID, "train-final"))
        )
        train.click()
        print("finished; training the best on all data ...", flush=True)
        rows = WebDriverWait(browser, 7200, poll_frequency=10).until(_all_trained)
        summary = browser.find_element(By.ID, "summary").text
        browser.save_screenshot(str(screenshot))
    finally:
        browser.quit()
    tutorial = next(r for r in rows if r["rank"].startswith("tutorial"))
    chosen = next(r for r in rows if "best.keras" in r["rank"])
    return {
        "preset": preset, "search_minutes": round(searched / 60, 1), "summary": summary, "final_rows": rows,
        "best_keras_test": chosen["test"], "tutorial_test": tutorial["test"],
        "points_above_tutorial": round(100 * (chosen["test"] - tutorial["test"]), 1),
    }  # fmt: skip


def _all_trained(browser) -> list[dict] | None:
    rows = _final_rows(browser)
    return rows if rows and all(row["status"] == "done" for row in rows) else None


def _final_rows(browser) -> list[dict]:
    from selenium.webdriver.common.by import By

    rows = []
    for tr in browser.find_elements(By.CSS_SELECTOR, "#final-table tbody tr"):
        cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        if len(cells) < 9:
            continue
        test = float(cells[4]) if re.fullmatch(r"[0-9.]+", cells[4]) else None
        rows.append({"rank": cells[0], "genome": cells[1], "search_validation": cells[2], "test": test,
                     "status": cells[8].split(":")[0]})  # fmt: skip
    return rows


def _answers(url: str) -> bool:
    import urllib.request

    try:
        urllib.request.urlopen(url + "/accounts/login/", timeout=5)
    except OSError:
        return False
    return True


def wait_for(probe, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = probe()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(1)
    raise SystemExit("gaweb did not come up: see its log in the var folder")


if __name__ == "__main__":
    main()
