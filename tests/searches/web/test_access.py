from __future__ import annotations

import pytest
from django.urls import reverse

from searches.models import Search

PAGES = ["searches:detail", "searches:best_json", "searches:export_json", "searches:entities_csv"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, finished_search, name):
    response = client.get(reverse(name, args=[finished_search.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["searches:list", "searches:new"])
def test_the_list_and_the_form_need_sign_in(client, name):
    assert client.get(reverse(name)).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/searches/", "/api/searches/1/", "/api/entities/1/"])
def test_the_api_answers_401_to_an_anonymous_caller(client, url):
    response = client.get(url)
    assert response.status_code == 401 and "sign in" in response.json()["error"]


@pytest.mark.django_db
def test_an_anonymous_visitor_cannot_create_cancel_or_rerun(client, running_search, small_spec):
    assert client.post(reverse("searches:new"), {"spec": "{}"}).status_code == 302
    assert client.post(reverse("searches:cancel", args=[running_search.pk])).status_code == 302
    assert client.post(reverse("searches:rerun", args=[running_search.pk])).status_code == 302
    running_search.refresh_from_db()
    assert running_search.status == Search.Status.RUNNING and Search.objects.count() == 1


@pytest.mark.django_db
def test_another_user_cannot_cancel_a_search(client, other, running_search):
    client.force_login(other)
    assert client.post(reverse("searches:cancel", args=[running_search.pk])).status_code == 403
    running_search.refresh_from_db()
    assert running_search.status == Search.Status.RUNNING


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_owner_or_staff_can_cancel(client, request, running_search, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("searches:cancel", args=[running_search.pk]))
    assert response.status_code == 302
    running_search.refresh_from_db()
    assert running_search.status == Search.Status.CANCELLED


@pytest.mark.django_db
def test_the_forms_need_a_csrf_token(owner, running_search):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(reverse("searches:cancel", args=[running_search.pk])).status_code == 403
    response = strict.post("/api/searches/", data="{}", content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]


@pytest.mark.django_db
def test_the_admin_needs_staff(client, owner, staff):
    client.force_login(owner)
    assert client.get("/admin/").status_code == 302
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
