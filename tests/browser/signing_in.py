"""Signing in through the real form, as a user does."""

from __future__ import annotations


def sign_in(browser, live_server, username: str, password: str) -> None:
    """Sign in through the form, and wait until the sign-in has landed (a page opened before
    that would be sent back to the form)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server.url + "/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: "/accounts/login/" not in d.current_url)
