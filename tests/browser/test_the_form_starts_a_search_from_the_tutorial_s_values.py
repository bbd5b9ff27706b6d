"""The form's "start from the tutorial's values": the tutorial network is a seed genome of the new
search, a copy of that search shows it ticked, and on a search that cannot take it the reason
stands beside the box and nothing is stored."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from searches.models import Entity, Search
from searches.spec.catalog import TUTORIAL_GENOME
from tests.browser.signing_in import sign_in


def _open_form(browser, live_server, query: str) -> WebDriverWait:
    wait = WebDriverWait(browser, 30)
    browser.get(live_server.url + "/searches/new/" + query)
    wait.until(ready.visibility_of_element_located((By.ID, "editor")))
    return wait


def test_a_keras_search_started_from_the_tutorial_trains_the_tutorial_in_generation_one(live_server, browser):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    sign_in(browser, live_server, "ada", "correct-horse-9")
    _open_form(browser, live_server, "?preset=cifar10-tutorial")
    box = browser.find_element(By.ID, "seed-tutorial")
    assert not box.is_selected()
    box.click()
    assert '"tutorial"' in browser.find_element(By.NAME, "spec").get_attribute("value")
    browser.find_element(By.ID, "start").click()

    WebDriverWait(browser, 30).until(ready.url_matches(r"/searches/\d+/$"))
    search = Search.objects.get()
    seed = {name: TUTORIAL_GENOME[name] for name in search.space.names}
    assert search.spec["ga"]["seed_genomes"] == [seed]
    first = Entity.objects.get(search=search, generation__number=0, index=0)
    assert first.origin == Entity.Origin.SEEDED and first.genome == seed

    _open_form(browser, live_server, f"?from={search.pk}")  # "Edit a copy"
    assert browser.find_element(By.ID, "seed-tutorial").is_selected()


def test_a_synthetic_search_cannot_start_from_the_tutorial_and_is_told_why(live_server, browser):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    sign_in(browser, live_server, "ada", "correct-horse-9")
    wait = _open_form(browser, live_server, "?preset=synthetic")
    browser.find_element(By.ID, "seed-tutorial").click()
    browser.find_element(By.ID, "start").click()

    beside_the_box = (By.CSS_SELECTOR, "[data-error-for='ga.seed_genomes'] .field-error")
    # Found afresh at each poll: the form draws its errors again as the page settles, and an element
    # found once may be gone by the time its text is read (a CI run failed so).
    assert wait.until(ready.text_to_be_present_in_element(beside_the_box, "needs the keras objective"))
    settled = WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException])
    assert settled.until(lambda b: b.find_element(*beside_the_box).is_displayed())
    assert not Search.objects.exists()
