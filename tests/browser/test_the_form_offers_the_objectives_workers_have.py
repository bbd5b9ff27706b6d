"""The form's Objective list holds gaweb's own objectives and those some machine's workers said they
have, each with its description; a spec for one of those starts a search from the form."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Search
from tests.browser.signing_in import sign_in
from tests.processes import ROOT

MLP = {
    "name": "digits_mlp",
    "description": "a scikit-learn MLP on the 8x8 digits",
    "kind": "function",
    "traits": ["hidden_units", "layers", "activation", "alpha", "learning_rate", "batch_size"],
}


def test_the_form_lists_registered_objectives_and_starts_a_search_for_one(live_server, browser):
    services.objectives_offer(host="gpu-box", offers=[MLP])
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    sign_in(browser, live_server, "ada", "correct-horse-9")
    wait = WebDriverWait(browser, 30)
    browser.get(live_server.url + "/searches/new/")
    wait.until(ready.visibility_of_element_located((By.ID, "editor")))
    options = Select(browser.find_element(By.ID, "objective")).options
    assert [o.get_attribute("value") for o in options] == ["synthetic", "keras", "digits_mlp"]
    assert options[2].text == "digits_mlp: a scikit-learn MLP on the 8x8 digits"
    assert "traits: hidden_units, layers" in options[2].get_attribute("title")

    example = ROOT / "examples" / "objectives" / "digits_mlp.json"
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(example))
    browser.find_element(By.ID, "start").click()
    wait.until(ready.url_matches(r"/searches/\d+/$"))
    assert Search.objects.get().objective == "digits_mlp"


def test_a_minimised_metric_is_named_on_the_dashboard(live_server, browser, small_spec):
    loss = {**MLP, "name": "mlp_loss", "metric": "val_loss", "direction": "minimize", "traits": None}
    services.objectives_offer(host="gpu-box", offers=[loss])
    ada = get_user_model().objects.create_user("ada", password="correct-horse-9")
    search = services.search_create(spec={**small_spec, "objective": "mlp_loss"}, owner=ada)
    sign_in(browser, live_server, "ada", "correct-horse-9")
    browser.get(f"{live_server.url}/searches/{search.pk}/")
    wait = WebDriverWait(browser, 30)
    meaning = wait.until(ready.visibility_of_element_located((By.ID, "fitness-meaning")))
    assert meaning.text.startswith("Fitness: -val_loss: the objective's val_loss, minimised")
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#leaderboard thead th"))
    headers = [th.text.replace("\u200b", "") for th in browser.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")]
    assert "-val_loss" in headers and "accuracy" not in headers
