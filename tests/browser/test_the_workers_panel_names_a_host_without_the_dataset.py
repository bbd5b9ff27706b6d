from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Search, UnableHost
from tests.browser.signing_in import sign_in
from workers.inline import run_inline


def test_the_workers_panel_names_a_host_without_the_dataset_and_why(live_server, browser, small_spec):
    user = get_user_model().objects.create_user("ada", password="correct-horse-9")
    search = run_inline(services.search_create(spec=small_spec, owner=user, execution=Search.Execution.INLINE).pk)
    UnableHost.objects.create(
        search=search, host="gpuhost3", worker="gpu0@gpuhost3", found_at=timezone.now(),
        reason="the dataset folder /data/pets does not exist on this worker",
    )  # fmt: skip
    sign_in(browser, live_server, "ada", "correct-horse-9")
    browser.get(f"{live_server.url}/searches/{search.pk}/")
    rows = WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#workers tr.unable"))
    cells = [cell.text for cell in rows[0].find_elements(By.TAG_NAME, "td")]
    reason = "the dataset folder /data/pets does not exist on this worker"
    assert cells == ["gpuhost3", f"cannot train this search: {reason}"]
    trained_by = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#workers tbody tr:not(.unable)")]
    assert trained_by and all(text.startswith("inline@") for text in trained_by)
