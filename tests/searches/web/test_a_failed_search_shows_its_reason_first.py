"""A failed search's page leads with the failure and its reason, and offers no download that
cannot work; a download asked for anyway says why it is not there."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from searches import services


class _Elements(HTMLParser):
    """Each element with an id: its attributes, and the text directly inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        key = attributes.get("id")
        if key:
            self.by_id[key] = {"attrs": attributes, "text": ""}
        if tag not in ("input", "br", "meta", "link", "img"):
            self._open.append(key)

    def handle_endtag(self, tag):
        if self._open and tag not in ("input", "br", "meta", "link", "img"):
            self._open.pop()

    def handle_data(self, data):
        for key in reversed(self._open):
            if key:
                self.by_id[key]["text"] += data
                break


def _page(client, pk: int) -> dict[str, dict]:
    parser = _Elements()
    parser.feed(client.get(reverse("searches:detail", args=[pk])).content.decode())
    return parser.by_id


@pytest.mark.django_db
def test_the_reason_comes_first_and_the_downloads_of_the_best_are_hidden(owner_client, running_search):
    services.search_fail(search_id=running_search.pk, reason="no dataset at folder:/data/missing")
    page = _page(owner_client, running_search.pk)
    assert page["error"]["text"].strip() == "This search failed: no dataset at folder:/data/missing"
    assert "hidden" not in page["error"]["attrs"]
    assert "hidden" in page["download-best-json"]["attrs"]


@pytest.mark.django_db
def test_a_search_with_a_best_offers_its_downloads(owner_client, finished_search):
    page = _page(owner_client, finished_search.pk)
    assert "hidden" not in page["download-best-json"]["attrs"]
    assert "hidden" in page["error"]["attrs"]


@pytest.mark.django_db
def test_best_json_without_a_best_says_why_on_a_page_of_the_site(owner_client, running_search, settings):
    settings.DEBUG = False
    response = owner_client.get(reverse("searches:best_json", args=[running_search.pk]))
    assert response.status_code == 404
    reason = _Elements()
    reason.feed(response.content.decode())
    assert reason.by_id["not-found-reason"]["text"].strip() == "No entity of this search has been trained yet"


@pytest.mark.django_db
def test_cancel_asks_for_confirmation(owner_client, running_search):
    page = _page(owner_client, running_search.pk)
    assert "Resume takes it up again" in page["cancel-form"]["attrs"]["data-confirm"]
