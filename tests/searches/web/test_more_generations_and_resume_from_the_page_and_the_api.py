"""Run N more generations on a completed search, and Resume on a cancelled one, from the detail page
and the API: the owner or staff only; a refusal says why and changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from searches import services
from searches.models import Search
from workers.inline import run_inline


@pytest.mark.django_db
def test_the_page_offers_more_generations_on_a_completed_search_and_runs_them(owner_client, finished_search):
    page = owner_client.get(reverse("searches:detail", args=[finished_search.pk])).content.decode()
    assert 'id="extend"' in page and 'id="resume"' not in page
    response = owner_client.post(reverse("searches:extend", args=[finished_search.pk]), {"generations": "2"})
    assert response.status_code == 302
    search = run_inline(finished_search.pk)
    assert (search.status, search.generations) == (Search.Status.COMPLETED, 5)


@pytest.mark.django_db
def test_the_page_says_why_when_the_count_is_not_a_whole_number(owner_client, finished_search):
    response = owner_client.post(
        reverse("searches:extend", args=[finished_search.pk]), {"generations": "two"}, follow=True
    )
    assert "Cannot run more generations: give a whole number of generations" in response.content.decode()
    finished_search.refresh_from_db()
    assert (finished_search.status, finished_search.generations) == (Search.Status.COMPLETED, 3)


@pytest.mark.django_db
def test_a_cancelled_search_is_resumed_from_its_page(owner_client, running_search):
    services.search_cancel(search_id=running_search.pk)
    page = owner_client.get(reverse("searches:detail", args=[running_search.pk])).content.decode()
    assert 'id="resume"' in page and 'id="extend"' not in page
    owner_client.post(reverse("searches:resume", args=[running_search.pk]))
    assert run_inline(running_search.pk).status == Search.Status.COMPLETED


@pytest.mark.django_db
def test_someone_else_may_neither_extend_nor_resume(client, other, finished_search):
    client.force_login(other)
    assert client.post(reverse("searches:extend", args=[finished_search.pk]), {"generations": "2"}).status_code == 403
    api = client.post(
        reverse("searches:api_extend", args=[finished_search.pk]), {"generations": 2}, content_type="application/json"
    )
    assert api.status_code == 403
    assert client.post(reverse("searches:api_resume", args=[finished_search.pk])).status_code == 403
    finished_search.refresh_from_db()
    assert finished_search.generations == 3


@pytest.mark.django_db
def test_the_api_extends_and_resumes_and_answers_409_with_the_reason(owner_client, finished_search):
    url = reverse("searches:api_extend", args=[finished_search.pk])
    bad = owner_client.post(url, "not json", content_type="application/json")
    assert bad.status_code == 400 and "generations" in bad.json()["error"]
    done = owner_client.post(url, {"generations": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["generations"] == 4 and done.json()["status"] == "running"
    again = owner_client.post(url, {"generations": 1}, content_type="application/json")
    assert again.status_code == 409 and "only a completed search" in again.json()["error"]
    resumed = owner_client.post(reverse("searches:api_resume", args=[finished_search.pk]))
    assert resumed.status_code == 409 and "only a cancelled search" in resumed.json()["error"]


@pytest.mark.django_db
def test_runsearch_extends_an_inline_search_in_this_process(tmp_path, small_spec):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(small_spec))
    call_command("runsearch", str(path), "--inline", stdout=io.StringIO())
    search = Search.objects.get()
    out = io.StringIO()
    call_command("runsearch", "--extend", str(search.pk), "2", stdout=out)
    search.refresh_from_db()
    assert (search.status, search.generations) == (Search.Status.COMPLETED, 5)
    assert "5 generations" in out.getvalue() and "completed" in out.getvalue()
    with pytest.raises(CommandError, match="only a cancelled search can be resumed"):
        call_command("runsearch", "--resume", str(search.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="one of them"):
        call_command("runsearch", str(path), "--resume", str(search.pk), stdout=io.StringIO())
