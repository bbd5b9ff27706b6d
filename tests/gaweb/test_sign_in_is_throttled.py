"""Repeated failed sign-ins lock the user name and the address out for a while, with a plain answer
that is the same whether or not the account exists; staff unlock from the admin."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

LIMIT = 5


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def ada(db):
    return get_user_model().objects.create_user("ada", password="correct-horse-9")


@pytest.mark.django_db
def test_after_five_failures_even_the_right_password_is_refused_for_a_while(ada):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(LIMIT - 1):
        assert _sign_in(client, "ada", "wrong").status_code == 200  # the form again, with its error
    locked = _sign_in(client, "ada", "wrong")
    assert locked.status_code == 429 and "locked for 15 minutes" in locked.content.decode()
    right = _sign_in(Client(REMOTE_ADDR="10.0.0.2"), "ada", "correct-horse-9")
    assert right.status_code == 429, "the user name is locked from every address"
    assert "_auth_user_id" not in right.client.session


@pytest.mark.django_db
def test_the_answer_is_the_same_for_an_account_that_does_not_exist(ada):
    answers = {}
    for number, name in enumerate(("ada", "nobody")):
        client = Client(REMOTE_ADDR=f"10.0.1.{number}")
        for _ in range(LIMIT):
            response = _sign_in(client, name, "wrong")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        answers[name] = (response.status_code, page.replace(name, "NAME"))
    assert answers["ada"] == answers["nobody"]


@pytest.mark.django_db
def test_one_address_trying_many_names_is_locked_out(ada):
    client = Client(REMOTE_ADDR="10.0.2.1")
    for number in range(LIMIT):
        _sign_in(client, f"guess{number}", "wrong")
    assert _sign_in(client, "ada", "correct-horse-9").status_code == 429
    assert _sign_in(Client(REMOTE_ADDR="10.0.2.2"), "ada", "correct-horse-9").status_code == 302


@pytest.mark.django_db
def test_staff_unlock_from_the_admin(ada):
    client = Client(REMOTE_ADDR="10.0.3.1")
    for _ in range(LIMIT):
        _sign_in(client, "ada", "wrong")
    assert _sign_in(client, "ada", "correct-horse-9").status_code == 429
    staff = get_user_model().objects.create_superuser("root", password="staff-pass-1")
    admin = Client()
    admin.force_login(staff)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "ada" in listing.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert _sign_in(client, "ada", "correct-horse-9").status_code == 302
