"""/api/schema/: a valid OpenAPI 3.1 document, every /api/ route in it, with the methods the views
accept and answers that a real search's calls match."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from searches.models import Entity
from searches.web import openapi

pytestmark = pytest.mark.django_db


def schema_of(document: dict, name: str) -> Draft202012Validator:
    """A validator for one component schema, its references resolved within the document."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def answered(response, document: dict, path: str, method: str) -> None:
    """The response's body matches what the document says this path answers with its status."""
    described = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = described["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.json())]
    assert not errors, f"{method.upper()} {path} answered {response.status_code} unlike its description: {errors}"


def test_the_schema_is_a_valid_openapi_document_open_to_anyone(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    validate(response.json())
    assert response.json()["openapi"].startswith("3.1")


def test_every_api_route_is_in_the_schema():
    routes = openapi.api_routes()
    assert len(routes) >= 10
    paths = openapi.openapi_document()["paths"]
    assert sorted(paths) == sorted(path for path, _name, _view in routes)


def test_a_route_without_a_description_is_refused_by_name(monkeypatch):
    monkeypatch.delitem(openapi.OPERATIONS, "api_leaderboard")
    openapi.openapi_document.cache_clear()
    try:
        with pytest.raises(LookupError, match="leaderboard"):
            openapi.openapi_document()
    finally:
        monkeypatch.undo()
        openapi.openapi_document.cache_clear()


@pytest.mark.parametrize("route", [name for _path, name, _view in openapi.api_routes()])
def test_each_route_accepts_exactly_the_methods_it_documents(owner_client, route):
    path = next(p for p, name, _view in openapi.api_routes() if name == route)
    documented = {method.upper() for method in openapi.openapi_document()["paths"][path] if method != "parameters"}
    # A method no view takes: Django's require_http_methods answers 405 with the ones it does.
    response = owner_client.generic("PATCH", path.replace("{pk}", "1"))
    assert response.status_code == 405
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert allowed - {"HEAD"} == documented  # require_GET also allows HEAD, which needs no description


def test_a_real_search_s_answers_match_their_descriptions(owner_client, finished_search, small_spec):
    document = openapi.openapi_document()

    def call(method: str, path: str, url: str, body=None, **headers) -> None:
        """Call ``url`` (an instance of the documented ``path``) and check the answer against the document."""
        send = getattr(owner_client, method)
        extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        answered(send(url, **extra, **headers), document, path, method)

    pk = finished_search.pk
    one = Entity.objects.filter(search=finished_search, fitness__isnull=False).order_by("-pk").first().pk
    version = owner_client.get(f"/api/searches/{pk}/").json()["version"]
    call("get", "/api/searches/", "/api/searches/")
    call("get", "/api/searches/{pk}/", f"/api/searches/{pk}/")
    call("get", "/api/searches/{pk}/", f"/api/searches/{pk}/?version={version}")
    call("get", "/api/searches/{pk}/leaderboard/", f"/api/searches/{pk}/leaderboard/")
    call("get", "/api/searches/{pk}/leaderboard/", f"/api/searches/{pk}/leaderboard/?offset=x")
    call("get", "/api/searches/{pk}/leaderboard/", f"/api/searches/{pk}/leaderboard/", HTTP_AUTHORIZATION="Bearer no")
    call("get", "/api/entities/{pk}/", f"/api/entities/{one}/")
    call("get", "/api/entities/{pk}/family/", f"/api/entities/{one}/family/")
    call("post", "/api/space-preview/", "/api/space-preview/", {"traits": [{"name": "x", "type": "int", "low": 1}]})
    for action, body in [
        ("cancel", None),  # 409: it has ended
        ("extend", {"generations": 1}),
        ("cancel", None),
        ("resume", None),
        ("finish", None),
        ("finish", None),  # 409: it is not running
    ]:
        call("post", f"/api/searches/{{pk}}/{action}/", f"/api/searches/{pk}/{action}/", body)
    call("post", "/api/searches/", "/api/searches/", {**small_spec, "ga": {"population": -1}})
    call("post", "/api/searches/", "/api/searches/", small_spec)


def test_the_docs_page_draws_the_schema_with_swagger_ui_from_this_server(client):
    page = client.get("/api/docs/").content.decode()
    assert "/api/schema/" in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
