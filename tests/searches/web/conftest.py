from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from searches import services
from searches.models import Search


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("owner", password="owner-pass-1")


@pytest.fixture
def other(db):
    return get_user_model().objects.create_user("other", password="other-pass-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("staff", password="staff-pass-1", is_staff=True)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def finished_search(owner, small_spec):
    """A completed synthetic search, run inline."""
    from workers.inline import run_inline

    search = services.search_create(spec=small_spec, owner=owner, execution=Search.Execution.INLINE)
    return run_inline(search.pk)


@pytest.fixture
def running_search(owner, small_spec):
    search = services.search_create(spec=small_spec, owner=owner, execution=Search.Execution.INLINE)
    services.search_start(search_id=search.pk)
    search.refresh_from_db()
    return search
