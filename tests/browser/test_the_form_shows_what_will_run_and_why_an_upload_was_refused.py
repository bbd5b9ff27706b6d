"""Rough edges of the form a new user met: a setting a preset leaves out shows the value that will
run, not a blank; and the reason an upload was refused stays on the page beside the upload."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from searches.models import Search
from tests.browser.signing_in import sign_in


def test_left_out_settings_show_their_defaults_and_an_upload_s_refusal_stays_shown(live_server, browser, tmp_path):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    sign_in(browser, live_server, "ada", "correct-horse-9")
    wait = WebDriverWait(browser, 30)
    browser.get(live_server.url + "/searches/new/?preset=digits-demo")
    wait.until(ready.visibility_of_element_located((By.ID, "editor")))
    shown = {
        path: Select(browser.find_element(By.CSS_SELECTOR, f'#editor [data-path="{path}"]')).first_selected_option
        for path in ("ga.strategy", "ga.mode", "ga.duplicates")
    }
    assert {path: option.get_attribute("value") for path, option in shown.items()} == {
        "ga.strategy": "genetic", "ga.mode": "generational", "ga.duplicates": "rebreed",
    }  # fmt: skip

    upload = tmp_path / "not-a-spec.json"
    upload.write_text("this is not JSON")
    browser.find_element(By.CSS_SELECTOR, "#json-box summary").click()
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(upload))
    browser.find_element(By.ID, "start").click()
    reason = wait.until(ready.visibility_of_element_located((By.ID, "upload-error")))
    assert "not-a-spec.json: not valid JSON" in reason.text
    assert not Search.objects.exists()
