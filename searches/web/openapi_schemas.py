"""What the JSON API's answers look like, as JSON Schema (OpenAPI 3.1 schemas are JSON Schema
2020-12): the ``components/schemas`` of the document that ``searches.web.openapi`` builds.

Written here once; the tests check each documented answer against what a real search's calls
return. A spec's top-level keys, the trait types and the statuses are read from the code.
"""

from __future__ import annotations

from typing import Any

from searches.genetics import TRAIT_TYPES
from searches.models import Entity, Search
from searches.spec.search import TOP_LEVEL_KEYS


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str | list[str]) -> dict:
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return {"type": [*kinds, "null"]}


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
        "front": {
            "type": "integer",
            "description": "With two objectives (`fitness.objectives`) only: the candidate's Pareto front, 1 for the "
            "candidates no other beats on both",
        },
    },
}
_SEARCH_STATUS = {"type": "string", "enum": list(Search.Status.values)}


def schemas() -> dict[str, Any]:
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
                key: ({"type": "array", "items": ref("Trait")} if key == "traits" else {}) for key in TOP_LEVEL_KEYS
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
            "properties": {"searches": {"type": "array", "items": ref("SearchSummary")}},
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
                    for key in (
                        "queued",
                        "running",
                        "waiting",
                        "cancelled",
                        "done",
                        "stopped",
                        "failed",
                        "cached",
                        "ended",
                    )
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
                "progress": ref("Progress"),
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
                "rungs": {
                    "type": ["object", "null"],
                    "description": "With early stopping (null without): per rung, its epoch (the last: every epoch), "
                    "how many candidates reached it, how many ended there with a fitness, and the five numbers "
                    "(lowest, quartiles, highest) of those fitnesses",
                    "properties": {
                        "epochs": {"type": "array", "items": {"type": "integer"}},
                        "reached": {"type": "array", "items": {"type": "integer"}},
                        "ended": {"type": "array", "items": {"type": "integer"}},
                        "fitness": {
                            "type": "array",
                            "items": {"oneOf": [{"type": "array", "items": {"type": "number"}}, {"type": "null"}]},
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
