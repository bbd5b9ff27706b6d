"""The JSON API's OpenAPI 3.1 description, served at ``/api/schema/`` and drawn at ``/api/docs/``.

What can be read from the code is read from it, so that the document follows the code:

* the paths and their path parameters, from the URL patterns under ``api/`` (a route added there
  without an entry in ``OPERATIONS`` fails ``openapi_document`` loudly, and its test);
* each operation's summary and description, from its view's docstring;
* a spec's top-level keys and the trait types, from the spec parser's own constants.

What a view answers is written here, once, as JSON Schema (OpenAPI 3.1 schemas are JSON Schema
2020-12). The tests check it against the code both ways: each route's methods against the ``Allow``
header Django's ``require_http_methods`` answers with, and each documented answer against what a
real search's calls return.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from searches.genetics import TRAIT_TYPES
from searches.models import Entity, Search
from searches.spec.search import TOP_LEVEL_KEYS

API_ROUTE_PREFIX = "api/"
SCHEMA_ROUTES = {"api_schema", "api_docs"}  # the description itself: not part of the API it describes


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _body(schema: dict) -> dict:
    """A required JSON request body of ``schema``."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _nullable(kind: str | list[str]) -> dict:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"]}


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
            "requestBody": _body(_ref("Spec")),
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
                    "content": {"application/json": {"schema": {"oneOf": [_ref("SearchState"), _ref("Unchanged")]}}},
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
                {"type": "object", "properties": {"traits": {"type": "array", "items": _ref("Trait")}}}
            ),
            "responses": {
                "200": _json("SpacePreview", "Each trait's law, and the errors by field"),
                "400": _json("SpecErrors", "The body is not JSON"),
                "413": _json("SpecErrors", "The body is too large"),
            },
        },
    },
}

_NUMBER = {"type": "number"}
_GENOME = {"type": "object", "description": "A value for each trait, by name"}
_RANKED = {
    "type": "object",
    "required": ["rank", "id", "generation", "origin", "fitness", "genome"],
    "properties": {
        "rank": {"type": "integer"},
        "id": {"type": "integer"},
        "generation": {"type": "integer"},
        "origin": {"type": "string", "enum": list(Entity.Origin.values)},
        "fitness": _NUMBER,
        "trainings": {"type": "integer", "description": "Trainings averaged into the fitness (confirmations)"},
        "accuracy": _nullable("number"),
        "parameter_count": _nullable("integer"),
        "train_seconds": _nullable("number"),
        "genome": _GENOME,
    },
}
_SEARCH_STATUS = {"type": "string", "enum": list(Search.Status.values)}


def _schemas() -> dict[str, Any]:
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
        "SpecErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "object",
                    "description": 'Messages by field: `"ga.population"`, `"traits[1].high"`; `""` for the whole',
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                }
            },
        },
        "Spec": {
            "type": "object",
            "description": "A search spec, as `runsearch` reads from a file (every key: docs/spec-reference.md)",
            "required": ["traits"],
            "additionalProperties": False,
            "properties": {
                key: ({"type": "array", "items": _ref("Trait")} if key == "traits" else {}) for key in TOP_LEVEL_KEYS
            },
        },
        "Trait": {
            "type": "object",
            "required": ["name", "type"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$"},
                "type": {"type": "string", "enum": list(TRAIT_TYPES)},
                "low": _NUMBER,
                "high": _NUMBER,
                "step": _NUMBER,
                "choices": {"type": "array"},
            },
        },
        "Created": {
            "type": "object",
            "required": ["id", "url"],
            "properties": {"id": {"type": "integer"}, "url": {"type": "string"}},
        },
        "SearchStatus": {
            "type": "object",
            "required": ["id", "status"],
            "properties": {
                "id": {"type": "integer"},
                "status": _SEARCH_STATUS,
                "generations": {"type": "integer"},
                "note": {"type": "string"},
            },
        },
        "SearchSummary": {
            "type": "object",
            "required": ["id", "name", "status", "ended", "total", "best_fitness", "url"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "owner": _nullable("string"),
                "status": _SEARCH_STATUS,
                "objective": {"type": "string"},
                "metric": {"type": "string"},
                "direction": {"type": "string", "enum": ["maximize", "minimize"]},
                "dataset": {"type": "string"},
                "ended": {"type": "integer"},
                "total": {"type": "integer"},
                "best_fitness": _nullable("number"),
                "created_at": {"type": "string", "format": "date-time"},
                "url": {"type": "string"},
            },
        },
        "SearchList": {
            "type": "object",
            "required": ["searches"],
            "properties": {"searches": {"type": "array", "items": _ref("SearchSummary")}},
        },
        "Unchanged": {
            "type": "object",
            "required": ["version", "unchanged"],
            "properties": {"version": {"type": "string"}, "unchanged": {"const": True}},
        },
        "Progress": {
            "type": "object",
            "required": ["queued", "running", "ended", "total"],
            "properties": {
                **{
                    key: {"type": "integer"}
                    for key in ("queued", "running", "cancelled", "done", "stopped", "failed", "cached", "ended")
                },
                "total": {"type": "integer"},
                "best_fitness": _nullable("number"),
            },
        },
        "SearchState": {
            "type": "object",
            "description": "What the dashboard draws. With `delta: true`, only what changed since `since`.",
            "required": ["version", "base", "delta", "search", "progress"],
            "properties": {
                "version": {"type": "string"},
                "base": {
                    "type": "object",
                    "description": "Send `since=<token>:<seq>` next time for a delta",
                    "properties": {"token": {"type": "string"}, "seq": {"type": "integer"}},
                },
                "delta": {"type": "boolean"},
                "aggregated": {"type": "boolean", "description": "Points binned: too many candidates to draw"},
                "search": {
                    "type": "object",
                    "required": ["id", "name", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "status": _SEARCH_STATUS,
                        "error": {"type": "string"},
                        "objective": {"type": "string"},
                        "metric": {"type": "string"},
                        "direction": {"type": "string"},
                        "strategy": {"type": "string"},
                        "dataset": {"type": "string"},
                        "generation": {"type": "integer"},
                        "generations": {"type": "integer"},
                        "population": {"type": "integer"},
                        "eta_seconds": _nullable("number"),
                    },
                },
                "progress": _ref("Progress"),
                "best": {"oneOf": [_RANKED, {"type": "null"}]},
                "leaderboard": {"type": "array", "items": _RANKED},
                "leaderboard_total": {"type": "integer"},
                "generations": {"type": "array", "items": {"type": "object"}},
                "traits": {"type": "array", "items": {"type": "object"}},
                "histograms": {"type": "array", "items": {"type": "object"}},
                "workers": {"type": "array", "items": {"type": "object"}},
                "final": {"type": "array", "items": {"type": "object"}},
                "points": {"type": "object"},
                "fronts": {
                    "type": "object",
                    "description": "The fully trained candidates no other beats with a higher fitness at no more "
                    "parameters (`parameter_count`) or training seconds (`train_seconds`), by rising cost",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "array", "items": {"type": "integer"}},
                            "cost": {"type": "array", "items": {"type": "number"}},
                            "fitness": {"type": "array", "items": {"type": "number"}},
                        },
                    },
                },
                "importance": {
                    "type": ["object", "null"],
                    "description": "Which traits matter (Optuna's PED-ANOVA); null below 20 trained candidates",
                    "properties": {
                        "traits": {"type": "array", "items": {"type": "string"}},
                        "importance": {"type": "object", "additionalProperties": {"type": "number"}},
                        "candidates": {"type": "integer"},
                        "timeline": {"type": "object"},
                    },
                },
            },
        },
        "LeaderboardPage": {
            "type": "object",
            "required": ["rows", "total", "offset", "size"],
            "properties": {
                "rows": {"type": "array", "items": _RANKED},
                "total": {"type": "integer"},
                "offset": {"type": "integer"},
                "size": {"type": "integer"},
            },
        },
        "EntityDetail": {
            "type": "object",
            "required": ["id", "search", "generation", "origin", "status", "genome"],
            "properties": {
                "id": {"type": "integer"},
                "search": {"type": "integer"},
                "generation": {"type": "integer"},
                "index": {"type": "integer"},
                "origin": {"type": "string", "enum": list(Entity.Origin.values)},
                "status": {"type": "string", "enum": list(Entity.Status.values)},
                "genome": _GENOME,
                "inheritance": {"type": "object", "description": "Each trait's source: a, b, mutated, random"},
                "parents": {"type": "object"},
                "cached_from": _nullable("integer"),
                "fitness": _nullable("number"),
                "accuracy": _nullable("number"),
                "parameter_count": _nullable("integer"),
                "train_seconds": _nullable("number"),
                "worker": {"type": "string"},
                "gpu": {"type": "string"},
                "attempts": {"type": "integer"},
                "error": {"type": "string"},
                "history": {"type": "array", "items": {"type": "object", "required": ["epoch"]}},
            },
        },
        "FamilyTree": {
            "type": "object",
            "required": ["root", "nodes", "edges"],
            "properties": {
                "root": {"type": "integer"},
                "nodes": {"type": "array", "items": {"type": "object", "required": ["id", "generation"]}},
                "edges": {"type": "array", "items": {"type": "object", "required": ["child", "parent"]}},
                "truncated": {"type": "boolean"},
                "limit": {"type": "integer"},
            },
        },
        "SpacePreview": {
            "type": "object",
            "required": ["traits", "errors"],
            "properties": {
                "traits": {
                    "type": "array",
                    "description": "Each trait's law, in order; null for a trait with errors",
                    "items": _nullable("object"),
                },
                "combinations": _nullable("integer"),
                "errors": {"type": "object"},
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
            "schemas": _schemas(),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "A personal API token (gaweb_...)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
    }
