from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Search
from tests.browser.signing_in import sign_in
from workers.inline import run_inline


def test_tick_two_searches_in_the_list_and_see_them_overlaid(live_server, browser, small_spec):
    user = get_user_model().objects.create_user("ada", password="correct-horse-9")
    for strategy in ("genetic", "surrogate"):
        spec = {**small_spec, "name": strategy, "ga": {**small_spec["ga"], "strategy": strategy}}
        run_inline(services.search_create(spec=spec, owner=user, execution=Search.Execution.INLINE).pk)
    sign_in(browser, live_server, "ada", "correct-horse-9")
    browser.get(live_server.url + "/")
    for box in browser.find_elements(By.CSS_SELECTOR, "#compare-form input[name=ids]"):
        box.click()
    browser.find_element(By.ID, "compare").click()
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: "/searches/compare/" in d.current_url)
    wait.until(
        lambda d: (
            d.execute_script("return document.querySelectorAll('#by-evaluations .scatterlayer .trace').length") == 2
        )
    )
    assert browser.execute_script("return document.querySelectorAll('#by-time .scatterlayer .trace').length") == 2
    strategies = [
        row.find_elements(By.TAG_NAME, "td")[2].text
        for row in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    ]
    assert sorted(strategies) == ["genetic", "surrogate"]
    # The parallel coordinates: an axis per trait, and fitness.
    wait.until(
        lambda d: (
            d.execute_script("return document.querySelectorAll('#parallel .y-axis').length")
            == 1 + len(small_spec["traits"])
        )
    )
