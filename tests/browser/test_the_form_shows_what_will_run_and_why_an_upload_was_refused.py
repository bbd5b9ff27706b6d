"""Rough edges of the form a new user met: a setting a preset leaves out shows the value that will
run, not a blank; and the reason an upload was refused stays on the page beside the upload."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
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


def test_an_unknown_keras_trait_is_named_beside_its_name_field_until_it_is_edited(live_server, browser):
    get_user_model().objects.create_user("ada", password="correct-horse-9")
    sign_in(browser, live_server, "ada", "correct-horse-9")
    wait = WebDriverWait(browser, 30)
    browser.get(live_server.url + "/searches/new/?preset=digits-demo")
    wait.until(ready.visibility_of_element_located((By.ID, "editor")))
    name = browser.find_element(By.CSS_SELECTOR, '#editor [data-path="traits[0].name"]')
    name.clear()
    name.send_keys("conv_blockz")
    browser.find_element(By.ID, "start").click()

    beside = (By.CSS_SELECTOR, "#trait-rows .trait:first-child .field-name .field-error")
    # Found afresh at each poll: the form may draw its errors again while the page settles.
    assert wait.until(ready.text_to_be_present_in_element(beside, "does not know 'conv_blockz'"))
    # The previews (which judge the space alone) are drawn after the page opens: the verdict stays.
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#trait-rows .preview .main-svg"))
    assert "does not know 'conv_blockz'" in browser.find_element(*beside).text
    assert not Search.objects.exists()

    name = browser.find_element(By.CSS_SELECTOR, '#editor [data-path="traits[0].name"]')
    name.clear()
    name.send_keys("conv_blocks", Keys.TAB)
    WebDriverWait(browser, 10).until(lambda b: not b.find_elements(*beside))
