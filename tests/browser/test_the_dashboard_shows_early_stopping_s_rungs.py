"""A search with early stopping shows its rungs in real Chromium: how many candidates reached each
rung (a bar each) and the fitness of those that ended there (a box each); one without shows none."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Search
from tests.browser.signing_in import sign_in
from workers.inline import run_inline


def test_the_rungs_card_draws_a_bar_and_a_box_per_rung(live_server, browser, small_spec):
    user = get_user_model().objects.create_user("ada", password="correct-horse-9")
    small_spec["ga"].update(population=9, generations=3)
    small_spec["training"] = {"epochs": 9, "early_stopping": {"rule": "successive_halving", "min_epochs": 1}}
    halving = run_inline(services.search_create(spec=small_spec, owner=user, execution=Search.Execution.INLINE).pk)
    del small_spec["training"]
    plain = run_inline(services.search_create(spec=small_spec, owner=user, execution=Search.Execution.INLINE).pk)
    sign_in(browser, live_server, "ada", "correct-horse-9")

    browser.get(f"{live_server.url}/searches/{halving.pk}/")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "rungs-card").is_displayed())
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.querySelectorAll('#rungs-fitness .boxlayer path.box').length") == 3
    )
    bars = browser.execute_script("return document.querySelectorAll('#rungs-reached .bars path').length")
    assert bars == 3
    labels = [tick.text for tick in browser.find_elements(By.CSS_SELECTOR, "#rungs-reached .xtick text")]
    assert labels == ["epoch 1", "epoch 3", "all 9 epochs"]
    assert "trained to the end" in browser.find_element(By.ID, "rungs-title").text

    browser.get(f"{live_server.url}/searches/{plain.pk}/")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return window.gawebFirstDraw !== undefined"))
    assert not browser.find_element(By.ID, "rungs-card").is_displayed()
