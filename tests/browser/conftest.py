from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def browser(tmp_path):
    """Debian's headless Chromium, driven by Selenium (no browser download: it cannot work offline)."""
    if not CHROMIUM.exists() or not (CHROMEDRIVER.exists() or shutil.which("chromedriver")):
        pytest.fail(
            "the browser test needs Debian's Chromium and ChromeDriver: "
            "sudo apt-get install chromium chromium-driver (make test installs them when run as root)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profile'}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for the tests to read
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture
def celery_to_test_redis(process_env):
    """Make this process (the live server's) send jobs to the test Redis and queue."""
    from gaweb.celery import app

    # Celery fills the default exchange and routing key in from the first queue it sends to,
    # and keeps them: they change with the queue here.
    names = ("broker_url", "task_default_queue", "task_default_exchange", "task_default_routing_key")
    saved = {name: app.conf[name] for name in names}
    queue = process_env["GAWEB_QUEUE"]
    app.conf.update(dict(zip(names, (process_env["REDIS_URL"], queue, queue, queue), strict=True)))
    _drop_connections(app)
    yield
    app.conf.update(saved)
    _drop_connections(app)


def _drop_connections(app) -> None:
    """Forget the broker connections and the queue declarations made so far, so that the next
    job goes to the new broker and queue (Celery's sender keeps the queue it was made with, and
    kombu's pools, global, would hand out the closed connections of an earlier test)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    pools.reset()
    app.__dict__.pop("amqp", None)

