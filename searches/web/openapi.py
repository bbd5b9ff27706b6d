"""The JSON API's OpenAPI 3.1 description, served at ``/api/schema/`` and drawn at ``/api/docs/``.

What can be read from the code is read from it, so that the document follows the code:

* the paths and their path parameters, from the URL patterns under ``api/`` (a route added there
  without an entry in ``OPERATIONS`` fails ``openapi_document`` loudly, and its test);
* each operation's summary and description, from its view's docstring;
* a spec's top-level keys and the trait types, from the spec parser's own constants.

What a view answers is written once, as JSON Schema, in ``openapi_schemas``. The tests check it
against the code both ways: each route's methods against the ``Allow`` header Django's
``require_http_methods`` answers with, and each documented answer against what a real search's
calls return.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from searches.web.openapi_schemas import ref, schemas

API_ROUTE_PREFIX = "api/"
SCHEMA_ROUTES = {"api_schema", "api_docs"}  # the description itself: not part of the API it describes


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref(name)}}}


def _body(schema: dict) -> dict:
    """A required JSON request body of ``schema``."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_ERROR = {
    "401": _json("Error", "Not signed in, or the token is malformed, revoked, unknown or expired"),
    "403": _json("Error", "The token may only read, or the caller is neither the search's owner nor staff"),
    "404": {"description": "No such search or entity"},
    "429": _json("Error", "The token made more calls than `GAWEB_TOKEN_RATE` allows; `Retry-After` says when to"),
}
_CONFLICT = _json("Error", "The search is in a state that does not allow this (the message says which)")

# Each route's operations by URL name: what it is called and what it answers. The summary and
# description come from the view's docstring unless given.
OPERATIONS: dict[str, dict[str, dict[str, Any]]] = {
    "api_searches": {
        "get": {
            "operationId": "listSearches",
            "summary": "Every search, newest first, with its progress",
            "responses": {"200": _json("SearchList", "The searches")},
        },
        "post": {
            "operationId": "createSearch",
            "summary": "Create a search from a spec and start it",
            "requestBody": _body(ref("Spec")),
            "responses": {
                "201": _json("Created", "Created and started; `Location` is its page"),
                "400": _json("SpecErrors", "The spec is not valid: every problem, by field"),
                "413": _json("SpecErrors", "The spec is too large"),
            },
        },
    },
    "api_search": {
        "get": {
            "operationId": "getSearchState",
            "summary": "The search's live state: status, progress, best, leaderboard, charts' data",
            "parameters": [
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "description": "`<token>:<count>` from the `base` of the copy held: only what changed since",
                    "schema": {"type": "string"},
                },
                {
                    "name": "version",
                    "in": "query",
                    "required": False,
                    "description": "The `version` of the copy held: `{version, unchanged: true}` if it is current",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "The dashboard's state, or `{version, unchanged}`",
                    "headers": {"ETag": {"schema": {"type": "string"}, "description": "The state's version (weak)"}},
                    "content": {"application/json": {"schema": {"oneOf": [ref("SearchState"), ref("Unchanged")]}}},
                },
                "304": {"description": "Unchanged since the copy whose ETag was sent in `If-None-Match`"},
            },
        },
    },
    "api_extend": {
        "post": {
            "operationId": "extendSearch",
            "summary": "Run N more generations of a completed search",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["generations"],
                    "properties": {"generations": {"type": "integer", "minimum": 1}},
                }
            ),
            "responses": {
                "200": _json("SearchStatus", "Extended, and running again"),
                "400": _json("Error", 'The body is not `{"generations": N}`'),
                "409": _CONFLICT,
            },
        },
    },
    "api_resume": {
        "post": {
            "operationId": "resumeSearch",
            "responses": {"200": _json("SearchStatus", "Running again"), "409": _CONFLICT},
        },
    },
    "api_finish": {
        "post": {
            "operationId": "finishSearch",
            "responses": {"200": _json("SearchStatus", "Completed with what it found"), "409": _CONFLICT},
        },
    },
    "api_cancel": {
        "post": {
            "operationId": "cancelSearch",
            "responses": {"200": _json("SearchStatus", "Cancelled"), "409": _CONFLICT},
        },
    },
    "api_leaderboard": {
        "get": {
            "operationId": "getLeaderboard",
            "summary": "A page of the leaderboard: 25 ranks from the offset",
            "parameters": [
                {
                    "name": "offset",
                    "in": "query",
                    "required": False,
                    "description": "How many ranks to skip (0 by default)",
                    "schema": {"type": "integer", "minimum": 0},
                }
            ],
            "responses": {
                "200": _json("LeaderboardPage", "25 ranks from the offset"),
                "400": _json("Error", "The offset is not a whole number"),
            },
        },
    },
    "api_entity": {
        "get": {
            "operationId": "getEntity",
            "summary": "One candidate: genome, parents, inheritance, learning curve, worker",
            "responses": {"200": _json("EntityDetail", "The candidate")},
        },
    },
    "api_family_tree": {
        "get": {
            "operationId": "getFamilyTree",
            "summary": "A candidate's ancestors back to the founders, as nodes and edges",
            "responses": {"200": _json("FamilyTree", "Its ancestors")},
        },
    },
    "api_space_preview": {
        "post": {
            "operationId": "previewSpace",
            "summary": "Each trait's law, as the form's editor draws it",
            "requestBody": _body(
                {"type": "object", "properties": {"traits": {"type": "array", "items": ref("Trait")}}}
            ),
            "responses": {
                "200": _json("SpacePreview", "Each trait's law, and the errors by field"),
                "400": _json("SpecErrors", "The body is not JSON"),
                "413": _json("SpecErrors", "The body is too large"),
            },
        },
    },
}


def api_routes() -> list[tuple[str, str, Any]]:
    """Every route under ``/api/`` as (OpenAPI path, URL name, view), walked from the URL patterns."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif (
                isinstance(pattern, URLPattern)
                and route.startswith(API_ROUTE_PREFIX)
                and pattern.name not in SCHEMA_ROUTES
            ):
                found.append(("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), pattern.name, pattern.callback))

    walk(get_resolver().url_patterns, "")
    return found


def _path_parameters(path: str) -> list[dict]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _from_docstring(view) -> dict:
    """The view's docstring as the operation's summary (its first paragraph) and description (all
    of it), in Markdown: reStructuredText's double backquotes become single ones."""
    doc = inspect.getdoc(inspect.unwrap(view))
    if not doc:
        return {}
    doc = doc.replace("``", "`")
    summary = " ".join(doc.partition("\n\n")[0].split())
    return {"summary": summary, **({"description": doc} if " ".join(doc.split()) != summary else {})}


@cache
def openapi_document() -> dict:
    """The whole OpenAPI document (built once per process: it changes only with the code)."""
    paths: dict[str, dict] = {}
    for path, name, view in api_routes():
        if name not in OPERATIONS:
            raise LookupError(f"the API route {path} ({name}) is not described in searches/web/openapi.py")
        item: dict[str, Any] = {}
        if parameters := _path_parameters(path):
            item["parameters"] = parameters
        for method, operation in OPERATIONS[name].items():
            item[method] = {**_from_docstring(view), **operation}
            item[method]["responses"] = {**operation["responses"], **_ERROR}
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gaweb",
            "version": "1",
            "description": (
                "Genetic-algorithm hyperparameter search: submit, watch and steer searches. "
                "Send `Authorization: Bearer <token>` (make one at `/accounts/tokens/`); a call signed in "
                "with the session cookie needs a CSRF token on writes instead."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "A personal API token (gaweb_...)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
    }
