"""A new user's first CIFAR-10 search: the empty list offers the recommended settings before the reference
experiment, and the form
they open shows them (the surrogate strategy, steady-state mode, the tutorial's values as the first
candidate, successive halving); started as it is, the search stores exactly those settings."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from searches.models import Search
from searches.spec.presets import RECOMMENDED_GA
from tests.browser.signing_in import sign_in


def test_the_recommended_cifar10_preset_is_offered_first_and_starts_as_shown(live_server, browser):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    sign_in(browser, live_server, "ada", "correct-horse-9")
    wait = WebDriverWait(browser, 30)
    browser.get(live_server.url + "/")
    offers = [
        a.get_attribute("href").split("?preset=")[-1] for a in browser.find_elements(By.CSS_SELECTOR, ".empty li a")
    ]
    assert offers.index("cifar10-wide") < offers.index("cifar10-tutorial"), offers
    browser.find_element(By.CSS_SELECTOR, ".empty li a[href$='?preset=cifar10-wide']").click()
    wait.until(ready.visibility_of_element_located((By.ID, "editor")))

    assert Select(browser.find_element(By.ID, "strategy")).first_selected_option.get_attribute("value") == "surrogate"
    mode = browser.find_element(By.CSS_SELECTOR, "select[data-path='ga.mode']")
    assert Select(mode).first_selected_option.get_attribute("value") == "steady_state"
    assert browser.find_element(By.ID, "seed-tutorial").is_selected()
    rule = Select(browser.find_element(By.ID, "early-stopping")).first_selected_option.get_attribute("value")
    assert rule == "successive_halving"
    browser.find_element(By.ID, "start").click()

    wait.until(ready.url_matches(r"/searches/\d+/$"))
    search = Search.objects.get()
    policy = search.policy
    assert (policy.strategy, policy.mode) == ("surrogate", "steady_state")
    assert policy.population == RECOMMENDED_GA["population"]
    assert len(policy.seed_genomes) == 1
    assert search.spec["training"]["early_stopping"]["rule"] == "successive_halving"
