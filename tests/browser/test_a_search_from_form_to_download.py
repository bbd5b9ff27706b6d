from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from searches.models import Search
from searches.spec.presets import PRESETS


def _set(driver, path: str, value) -> None:
    field = driver.find_element(By.CSS_SELECTOR, f'#editor [data-path="{path}"]')
    field.clear()
    field.send_keys(str(value))
    field.send_keys("\t")  # leave the field: its change event updates the spec


def test_sign_in_create_a_search_in_the_form_watch_it_live_and_download_the_best(
    live_server, browser, workers, celery_to_test_redis
):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    workers.start(2, preload_keras=False)
    wait = WebDriverWait(browser, 30)

    browser.get(live_server.url + "/")
    assert "/accounts/login/" in browser.current_url
    browser.find_element(By.NAME, "username").send_keys("ada")
    browser.find_element(By.NAME, "password").send_keys("correct-horse-9")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "section.empty")))

    browser.get(live_server.url + "/searches/new/?preset=synthetic")
    wait.until(ready.visibility_of_element_located((By.ID, "editor")))
    _set(browser, "name", "browser search")
    _set(browser, "ga.population", 6)
    # The preset's parents (10 and 10) come down with the population, so the spec stays valid.
    elite = browser.find_element(By.CSS_SELECTOR, '#editor [data-path="ga.elite_previous"]')
    assert (elite.get_attribute("value"), elite.get_attribute("max")) == ("6", "6")
    _set(browser, "ga.generations", 3)
    _set(browser, "ga.elite_previous", 3)
    _set(browser, "ga.elite_all_time", 3)
    _set(browser, "training.synthetic_delay", 0.3)
    # The count and the previews come from the server's own traits (POST /api/space-preview/).
    wait.until(ready.text_to_be_present_in_element((By.ID, "combinations"), "138,240 combinations"))
    types = [Select(s).first_selected_option.text for s in browser.find_elements(By.CSS_SELECTOR, "#trait-rows select")]
    assert types == [trait["type"] for trait in PRESETS["synthetic"]["traits"]]
    assert browser.execute_script("return document.querySelectorAll('#trait-rows .preview .main-svg').length") > 0
    browser.find_element(By.ID, "start").click()

    wait.until(ready.url_matches(r"/searches/\d+/$"))  # the dashboard of the new search
    search = Search.objects.get(name="browser search")
    assert browser.current_url.endswith(f"/searches/{search.pk}/")
    assert search.spec["ga"]["population"] == 6 and search.spec["training"]["synthetic_delay"] == 0.3
    browser.execute_script("window.notReloaded = true;")

    WebDriverWait(browser, 120).until(lambda d: d.find_element(By.ID, "status").text == "completed")
    assert browser.execute_script("return window.notReloaded === true;"), "the page reloaded"
    assert "18 of 18 entities ended" in browser.find_element(By.ID, "summary").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")) >= 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "#histograms .small-chart")) == len(search.spec["traits"])

    browser.find_element(By.CSS_SELECTOR, "#leaderboard tbody tr").click()
    dialog = wait.until(ready.visibility_of_element_located((By.ID, "entity-dialog")))
    assert "Entity #" in dialog.text and "parents" in dialog.text
    browser.find_element(By.CSS_SELECTOR, "#entity-dialog .close").click()

    browser.find_element(By.ID, "download-best-json").click()
    target = browser.downloads / f"gaweb-search-{search.pk}-best.json"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    best = json.loads(target.read_text())
    assert best["search"]["id"] == search.pk and best["fitness"] > 0 and best["genome"]

    # The session ends (signed out elsewhere, or expired): the page says so, with a way back in.
    browser.delete_all_cookies()
    WebDriverWait(browser, 30).until(lambda d: "Signed out" in d.find_element(By.ID, "error").text)
    assert "/accounts/login/" in browser.find_element(By.CSS_SELECTOR, "#error a").get_attribute("href")
