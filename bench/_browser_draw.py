"""The dashboard's draw in headless Chromium (Debian's ``chromium`` and ``chromium-driver``),
served from this process by Django's threaded development server: for ``dashboard_scale.py --browser``."""

from __future__ import annotations

import threading
import time

CHARTS = "#fitness-chart, #histograms .small-chart, #scatter .small-chart"
COUNT = "return [...document.querySelectorAll(arguments[0])].map((d) => d.querySelectorAll(arguments[1]).length);"
GL = "return document.querySelectorAll('canvas.gl-canvas').length;"
MARKS = ".hm image, .heatmaplayer image, .bars path, .scatterlayer path.js-line, .scatterlayer path.point"
PORT = 8765


def serve() -> str:
    """Serve gaweb from a thread of this process (the same database); its address."""
    from django.core.servers.basehttp import run

    from gaweb.wsgi import application

    threading.Thread(target=lambda: run("127.0.0.1", PORT, application, threading=True), daemon=True).start()
    time.sleep(1)
    return f"http://127.0.0.1:{PORT}"


def draw_times(url: str, search_id: int, username: str, password: str, looks: int = 2) -> list[dict]:
    """Open the search's page ``looks`` times (the first after nothing was kept on the server):
    when its state arrived and when every chart was drawn, in ms since the page began loading,
    how many charts hold no mark, how many WebGL canvases there are, and the console's WebGL lines."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium()
    try:
        sign_in(driver, url, username, password)
        driver.get_log("browser")
        results = []
        for _ in range(looks):
            driver.get(f"{url}/searches/{search_id}/")
            WebDriverWait(driver, 300).until(lambda d: d.execute_script("return window.gawebFirstDraw !== undefined"))
            times = driver.execute_script("return window.gawebFirstDraw")
            marks = driver.execute_script(COUNT, CHARTS, MARKS)
            results.append(
                {
                    "state_arrived_ms": times["received"],
                    "drawn_ms": times["drawn"],
                    "charts": len(marks),
                    "blank_charts": sum(1 for m in marks if m == 0),
                    "webgl_canvases": driver.execute_script(GL),
                    "webgl_console_lines": len([e for e in driver.get_log("browser") if "WebGL" in e["message"]]),
                }
            )
        return results
    finally:
        driver.quit()


def chromium():
    """Debian's headless Chromium at 1400 x 1000, its console kept for reading."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument("--window-size=1400,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def sign_in(driver, url: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/accounts/login/" not in d.current_url)
