"""In the browser: a completed keras search, one press of "Train the best on all data", the Final results table."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Entity, Search
from workers.inline import run_inline

SPEC = {
    "name": "final in the browser", "dataset": "digits", "objective": "keras", "seed": 3,
    "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
    "training": {"epochs": 1, "max_train_samples": 200},
    "final": {"top_k": 1, "epochs": 2, "max_train_samples": 400, "include_baseline": True},
    "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 16, "step": 2}],
}  # fmt: skip


def test_the_owner_presses_the_button_and_sees_the_best_next_to_the_tutorial(
    live_server, browser, workers, celery_to_test_redis
):
    owner = get_user_model().objects.create_user("grace", password="correct-horse-9")
    workers.start(1)
    search = run_inline(services.search_create(spec=SPEC, owner=owner, execution=Search.Execution.INLINE).pk)
    assert search.status == Search.Status.COMPLETED
    wait = WebDriverWait(browser, 30)

    browser.get(live_server.url + f"/searches/{search.pk}/")
    browser.find_element(By.NAME, "username").send_keys("grace")
    browser.find_element(By.NAME, "password").send_keys("correct-horse-9")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(ready.text_to_be_present_in_element((By.ID, "status"), "completed"))
    assert not browser.find_element(By.ID, "final-card").is_displayed()
    assert not browser.find_element(By.ID, "download-best-keras").is_displayed()
    wait.until(ready.element_to_be_clickable((By.ID, "train-final"))).click()

    # The workers train the best and the tutorial's network; the table fills in without a reload.
    def trained(driver) -> bool:
        rows = driver.find_elements(By.CSS_SELECTOR, "#final-table tbody tr")
        return len(rows) == 2 and all(row.text.endswith("done") for row in rows)

    finals = Entity.objects.filter(search=search, origin=Entity.Origin.FINAL)
    try:
        # The table is drawn afresh at each update: a row read as it is replaced is read again.
        WebDriverWait(browser, 240, ignored_exceptions=[StaleElementReferenceException]).until(trained)
    except TimeoutException:
        table = browser.find_element(By.ID, "final-card").text
        raise AssertionError(f"{list(finals.values_list('status', 'error'))}; {table!r}\n{workers.logs()}") from None
    rows = browser.find_elements(By.CSS_SELECTOR, "#final-table tbody tr")
    best = Entity.objects.get(search=search, origin=Entity.Origin.FINAL, replicate_of__isnull=False)
    assert rows[0].text.startswith("1 · the search's best · best.keras") and f"{best.test_accuracy:.4f}" in rows[0].text
    assert rows[1].text.startswith("tutorial")
    headings = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#final-table thead th")]
    assert "Training time" in headings and "Validation accuracy (final)" in headings
    assert browser.find_element(By.ID, "download-best-keras").is_displayed()
    assert not browser.find_element(By.ID, "train-final").is_displayed()  # trained: nothing to press again
