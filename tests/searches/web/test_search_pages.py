from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from searches.models import Entity, Search
from searches.spec.presets import PRESETS


@pytest.mark.django_db
def test_the_empty_list_tells_a_new_user_what_to_do(owner_client):
    page = owner_client.get(reverse("searches:list")).content.decode()
    assert "No searches yet" in page and "?preset=synthetic" in page


@pytest.mark.django_db
def test_the_list_shows_each_search_with_its_progress_and_best(owner_client, finished_search):
    page = owner_client.get(reverse("searches:list")).content.decode()
    assert finished_search.name in page and "completed" in page and "18/18" in page


@pytest.mark.django_db
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_the_form_starts_from_each_preset(owner_client, preset):
    page = owner_client.get(reverse("searches:new") + f"?preset={preset}").content.decode()
    assert PRESETS[preset]["name"] in page and "plotly/plotly.min.js" in page


@pytest.mark.django_db
def test_a_search_started_from_a_preset_does_not_take_the_presets_name(owner_client):
    response = owner_client.get(reverse("searches:new") + "?preset=digits-demo")
    spec = json.loads(response.context["form"].initial["spec"])
    assert spec["name"] == f"{PRESETS['digits-demo']['name']} (copy)"
    assert spec["traits"] == PRESETS["digits-demo"]["traits"]


@pytest.mark.django_db
def test_from_scratch_starts_a_small_spec_that_can_be_started_as_it_is(owner_client):
    form = owner_client.get(reverse("searches:new") + "?start=scratch")
    assert 'href="?start=scratch"' in form.content.decode()
    spec = json.loads(form.context["form"].initial["spec"])
    assert len(spec["traits"]) == 1
    assert owner_client.post(reverse("searches:new"), {"spec": json.dumps(spec)}).status_code == 302
    assert Search.objects.get().name == "my search"


@pytest.mark.django_db
def test_a_valid_form_creates_and_starts_a_search(owner_client, owner, small_spec):
    response = owner_client.post(reverse("searches:new"), {"spec": json.dumps(small_spec)})
    search = Search.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("searches:detail", args=[search.pk])
    assert search.owner == owner and search.status == Search.Status.RUNNING
    assert Entity.objects.filter(search=search, status=Entity.Status.QUEUED).count() == 6


@pytest.mark.django_db
def test_an_uploaded_spec_file_works_too(owner_client, small_spec):
    upload = SimpleUploadedFile("spec.json", json.dumps(small_spec).encode(), content_type="application/json")
    assert owner_client.post(reverse("searches:new"), {"spec": "", "upload": upload}).status_code == 302
    assert Search.objects.count() == 1


@pytest.mark.django_db
def test_an_invalid_form_shows_each_error_and_stores_nothing(owner_client, small_spec):
    small_spec["ga"]["mutation_rate"] = 2
    small_spec["traits"][1]["low"] = 50
    response = owner_client.post(reverse("searches:new"), {"spec": json.dumps(small_spec)})
    page = response.content.decode()
    assert response.status_code == 400 and not Search.objects.exists()
    assert "ga.mutation_rate: must be between 0 and 1" in page
    assert "traits[1].high: the range is empty or inverted" in page
    errors = json.loads(page.split('id="spec-errors" type="application/json">')[1].split("</script>")[0])
    assert set(errors) == {"ga.mutation_rate", "traits[1].high"}


@pytest.mark.django_db
def test_malformed_json_says_where_it_broke(owner_client):
    response = owner_client.post(reverse("searches:new"), {"spec": '{"name": "x",\n "traits": ['})
    assert response.status_code == 400 and "not valid JSON" in response.content.decode()


@pytest.mark.django_db
def test_the_spec_round_trips_from_the_form_to_the_export(owner_client, small_spec):
    owner_client.post(reverse("searches:new"), {"spec": json.dumps(small_spec)})
    search = Search.objects.get()
    response = owner_client.get(reverse("searches:export_json", args=[search.pk]))
    exported = json.loads(b"".join(response.streaming_content))["spec"]
    for key in ("name", "dataset", "objective", "seed", "traits"):
        assert exported[key] == small_spec[key]
    assert {k: exported["ga"][k] for k in small_spec["ga"]} == small_spec["ga"]


@pytest.mark.django_db
def test_the_dashboard_page_loads_plotly_from_this_server(owner_client, finished_search):
    page = owner_client.get(reverse("searches:detail", args=[finished_search.pk])).content.decode()
    assert "/static/plotly/plotly.min.js" in page and "cdn" not in page.lower()


@pytest.mark.django_db
def test_plotly_js_is_served_from_the_installed_package(owner_client):
    response = owner_client.get("/static/plotly/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()


@pytest.mark.django_db
def test_rerun_starts_a_new_search_from_the_same_spec(owner_client, finished_search):
    response = owner_client.post(reverse("searches:rerun", args=[finished_search.pk]))
    rerun = Search.objects.exclude(pk=finished_search.pk).get()
    assert response["Location"] == reverse("searches:detail", args=[rerun.pk])
    assert rerun.spec == {**finished_search.spec, "name": f"{finished_search.name} (re-run of #{finished_search.pk})"}
    assert rerun.name != finished_search.name and rerun.status == Search.Status.RUNNING


@pytest.mark.django_db
def test_cancel_ends_the_queued_entities_as_cancelled(owner_client, running_search):
    owner_client.post(reverse("searches:cancel", args=[running_search.pk]))
    assert not Entity.objects.filter(search=running_search, status=Entity.Status.QUEUED).exists()
    assert Entity.objects.filter(search=running_search, status=Entity.Status.CANCELLED).count() == 6


@pytest.mark.django_db
def test_an_upload_that_is_not_json_is_named_beside_the_upload_control(owner_client):
    upload = SimpleUploadedFile("notes.txt", b"these are my notes", content_type="text/plain")
    response = owner_client.post(reverse("searches:new"), {"spec": "", "upload": upload})
    page = response.content.decode()
    assert response.status_code == 400 and not Search.objects.exists()
    beside = page.split('id="upload-error">')[1].split("</span>")[0]
    assert beside.startswith("the uploaded file is not a spec. notes.txt: not valid JSON")
    assert "beside the upload" in page.split('id="form-errors">')[1].split("</div>")[0]
