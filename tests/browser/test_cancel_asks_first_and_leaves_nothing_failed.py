from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Entity, Search
from tests.browser.signing_in import sign_in


def test_cancel_asks_for_confirmation_and_the_never_trained_entities_show_as_cancelled(
    live_server, browser, small_spec
):
    user = get_user_model().objects.create_user("ada", password="correct-horse-9")
    search = services.search_create(spec=small_spec, owner=user, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)  # inline: nothing trains it, it stays running
    wait = WebDriverWait(browser, 30)
    sign_in(browser, live_server, "ada", "correct-horse-9")
    browser.get(f"{live_server.url}/searches/{search.pk}/")
    wait.until(lambda d: "queued" in d.find_element(By.ID, "summary").text)

    browser.find_element(By.ID, "cancel").click()
    wait.until(ready.alert_is_present()).dismiss()  # "no": nothing changes
    search.refresh_from_db()
    assert search.status == Search.Status.RUNNING

    browser.find_element(By.ID, "cancel").click()
    wait.until(ready.alert_is_present()).accept()
    # The form posts and the page loads again: an element found on the old page may go stale
    # before it is read, so look again until the new page says it.
    reloading = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
    reloading.until(lambda d: d.find_element(By.ID, "status").text == "cancelled")
    summary = browser.find_element(By.ID, "summary").text
    assert "6 cancelled (never trained)" in summary and "0 failed" in summary
    assert not browser.find_element(By.ID, "download-best-json").is_displayed()
    assert Entity.objects.filter(search=search, status=Entity.Status.CANCELLED).count() == 6
