"""Finish now: the owner (or staff) ends a running search as completed with what it found, from the
page or the API, so that its best can be trained on all data; anyone else is refused."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from searches import services
from searches.models import Entity, Search

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(small_spec):
    owner = get_user_model().objects.create_user("ada", password="pw-ada-123")
    search = services.search_create(spec=small_spec, owner=owner)
    services.search_start(search_id=search.pk)
    return search


def test_the_owner_finishes_a_running_search_from_the_page_and_it_ends_completed(client, running):
    client.force_login(get_user_model().objects.get(username="ada"))
    response = client.post(reverse("searches:finish", args=[running.pk]), follow=True)
    assert "what it found is kept" in response.content.decode()
    running.refresh_from_db()
    assert running.status == Search.Status.COMPLETED and running.note == "finished early by ada"
    assert not Entity.objects.filter(search=running, status=Entity.Status.QUEUED).exists()


def test_the_page_offers_finish_now_only_on_a_running_search_of_its_owner(client, running):
    client.force_login(get_user_model().objects.get(username="ada"))
    assert 'id="finish-form"' in client.get(reverse("searches:detail", args=[running.pk])).content.decode()
    get_user_model().objects.create_user("bob", password="pw-bob-123")
    client.force_login(get_user_model().objects.get(username="bob"))
    assert 'id="finish-form"' not in client.get(reverse("searches:detail", args=[running.pk])).content.decode()
    assert client.post(reverse("searches:finish", args=[running.pk])).status_code == 403
    assert Search.objects.get(pk=running.pk).status == Search.Status.RUNNING


def test_the_api_finishes_it_once_and_says_when_it_is_not_running(client, running):
    client.force_login(get_user_model().objects.get(username="ada"))
    url = reverse("searches:api_finish", args=[running.pk])
    first = client.post(url)
    assert first.status_code == 200 and json.loads(first.content)["status"] == "completed"
    again = client.post(url)
    assert again.status_code == 409 and "is not running (it is completed)" in json.loads(again.content)["error"]
