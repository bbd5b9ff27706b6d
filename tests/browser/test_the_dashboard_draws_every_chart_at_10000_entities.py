"""The dashboard at scale, in real Chromium: a finished search of 10,000 entities draws every
chart (densities, not 10,000 markers per chart, and which traits matter), with no WebGL context lost."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.signing_in import sign_in
from tests.simulate import simulated_search

CHARTS = "#fitness-chart, #histograms .small-chart, #scatter .small-chart"


def test_every_chart_draws_at_10000_entities_and_no_webgl_context_is_lost(live_server, browser):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    search = simulated_search(entities=10_000, population=500)
    sign_in(browser, live_server, "ada", "correct-horse-9")
    browser.get_log("browser")  # forget what the sign-in logged
    browser.get(f"{live_server.url}/searches/{search.pk}/")
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return window.gawebFirstDraw !== undefined"))
    times = browser.execute_script("return window.gawebFirstDraw")
    print(
        f"\n10,000 entities: the state arrived {times['received']:.0f} ms after the page began loading, "
        f"every chart drawn {times['drawn'] - times['received']:.0f} ms later"
    )

    charts = browser.find_elements(By.CSS_SELECTOR, CHARTS)
    assert len(charts) == 1 + 2 * len(search.spec["traits"])
    # Non-blank: every chart holds drawn marks (heatmap cells, bars or lines), none is empty.
    marks = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((d) => "
        "d.querySelectorAll('.hm image, .heatmaplayer image, .bars path, .scatterlayer path.js-line').length);",
        CHARTS,
    )
    assert all(count > 0 for count in marks), marks
    # Which traits matter: a bar per trait, and a line per trait over the generations.
    assert browser.find_element(By.ID, "importance-card").is_displayed()
    bars, lines = browser.execute_script(
        "return ['#importance-chart .bars path', '#importance-timeline .scatterlayer path.js-line']"
        ".map((selector) => document.querySelectorAll(selector).length);"
    )
    assert bars == len(search.spec["traits"]) == lines, (bars, lines)
    # Fitness against size and training time: above 2,000 candidates, the fronts alone.
    fronts = browser.execute_script(
        "return ['#fronts-size', '#fronts-time']"
        ".map((s) => document.querySelectorAll(s + ' .scatterlayer .trace').length);"
    )
    assert fronts == [1, 1], fronts
    assert browser.execute_script("return document.querySelectorAll('canvas.gl-canvas').length") == 0
    console = [entry["message"] for entry in browser.get_log("browser")]
    assert not [line for line in console if "WebGL" in line], console
    assert "ranks 1-25 of 10,000" in browser.find_element(By.ID, "leaderboard-count").text
