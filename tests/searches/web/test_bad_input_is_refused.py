"""Every bad spec is refused with a clear message by the form, the API and runsearch, and nothing is stored."""

from __future__ import annotations

import copy
import io
import json
import os
from html.parser import HTMLParser

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searches.models import Entity, Search

VALID = {
    "name": "valid",
    "dataset": "digits",
    "objective": "synthetic",
    "seed": 1,
    "ga": {"population": 6, "generations": 2, "elite_previous": 3, "elite_all_time": 3},
    "training": {"epochs": 1},
    "traits": [
        {"name": "lr", "type": "geometric_float", "low": 0.001, "high": 0.1},
        {"name": "units", "type": "int", "low": 8, "high": 64},
        {"name": "opt", "type": "choice", "choices": ["sgd", "adam"]},
    ],
}
LONG = "x" * 10_000
ABOVE_POPULATION = "at most the population, 6 (got 7)"  # the spec below has a population of 6


def changed(path: str, value):
    """VALID with one value changed (``del`` removes the key)."""
    spec = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = spec
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value == "del":
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return json.dumps(spec, allow_nan=True)


# (case id, request body, the field the message is about, a piece of the message)
CASES = [
    ("malformed json", '{"name": "x", "traits": [', "", "not valid JSON"),
    ("not an object", "[1, 2, 3]", "", "must be a JSON object"),
    ("empty body", "", "", "not valid JSON"),
    ("missing name", changed("name", "del"), "name", "required"),
    ("missing traits", changed("traits", "del"), "traits", "required"),
    ("unknown top-level key", changed("generations", 3), "generations", "unknown key"),
    ("name not a string", changed("name", 5), "name", "non-empty string"),
    ("name of 10,000 characters", changed("name", LONG), "name", "at most 200"),
    ("traits not a list", changed("traits", {"a": 1}), "traits", "list of traits"),
    ("no traits", changed("traits", []), "traits", "at least one trait"),
    (
        "too many traits",
        changed("traits", [{"name": f"t{i}", "type": "bool"} for i in range(65)]),
        "traits",
        "at most 64",
    ),
    ("trait not an object", changed("traits.0", "lr"), "traits[0]", "must be an object"),
    ("unknown trait type", changed("traits.0.type", "gaussian"), "traits[0].type", "unknown trait type"),
    ("inverted range", changed("traits.1.low", 100), "traits[1].high", "empty or inverted"),
    ("empty range", changed("traits.1.high", 8), "traits[1].high", "empty or inverted"),
    ("geometric low of 0", changed("traits.0.low", 0), "traits[0].low", "greater than 0"),
    ("geometric low below 0", changed("traits.0.low", -1), "traits[0].low", "greater than 0"),
    ("non-identifier name", changed("traits.0.name", "Learning Rate"), "traits[0].name", "not a valid name"),
    ("name starting with a digit", changed("traits.0.name", "1lr"), "traits[0].name", "not a valid name"),
    ("trait name of 10,000 characters", changed("traits.0.name", LONG), "traits[0].name", "at most 64"),
    ("duplicate names", changed("traits.1.name", "lr"), "traits[1].name", "duplicate trait name"),
    ("empty choices", changed("traits.2.choices", []), "traits[2].choices", "at least one"),
    ("choices not a list", changed("traits.2.choices", "sgd"), "traits[2].choices", "must be a list"),
    ("choice of 10,000 characters", changed("traits.2.choices", [LONG]), "traits[2].choices", "at most 200"),
    ("a step off the grid", changed("traits.1.step", 5), "traits[1].step", "whole number of steps"),
    ("low is a string", changed("traits.1.low", "8"), "traits[1].low", "integer"),
    ("NaN in a number", changed("traits.0.high", float("nan")), "traits[0].high", "finite number"),
    ("infinity in a number", changed("traits.0.high", float("inf")), "traits[0].high", "finite number"),
    ("population 0", changed("ga.population", 0), "ga.population", "between 2 and 1,000"),
    ("population 1", changed("ga.population", 1), "ga.population", "between 2 and 1,000"),
    ("population 1,000,000", changed("ga.population", 1_000_000), "ga.population", "between 2 and 1,000"),
    ("population as a string", changed("ga.population", "20"), "ga.population", "integer"),
    ("elite_previous above the population", changed("ga.elite_previous", 7), "ga.elite_previous", ABOVE_POPULATION),
    ("elite_all_time above the population", changed("ga.elite_all_time", 7), "ga.elite_all_time", ABOVE_POPULATION),
    ("mutation rate -0.1", changed("ga.mutation_rate", -0.1), "ga.mutation_rate", "between 0 and 1"),
    ("mutation rate 2", changed("ga.mutation_rate", 2), "ga.mutation_rate", "between 0 and 1"),
    ("mutation rate NaN", changed("ga.mutation_rate", float("nan")), "ga.mutation_rate", "finite number"),
    ("generations 0", changed("ga.generations", 0), "ga.generations", "between 1 and 1,000"),
    ("generations 100,000", changed("ga.generations", 100_000), "ga.generations", "between 1 and 1,000"),
    ("immigrants above the population", changed("ga.immigrants", 7), "ga.immigrants", ABOVE_POPULATION),
    ("negative immigrants", changed("ga.immigrants", -1), "ga.immigrants", "must not be negative"),
    ("unknown strategy", changed("ga.strategy", "annealing"), "ga.strategy", "unknown strategy"),
    ("unknown duplicates", changed("ga.duplicates", "ignore"), "ga.duplicates", "choose one of: rebreed, cache"),
    ("unknown mode", changed("ga.mode", "async"), "ga.mode", "unknown mode"),
    ("confirm above the population", changed("ga.confirm", 7), "ga.confirm", ABOVE_POPULATION),
    (
        "steady state caching duplicates",
        json.dumps({**VALID, "ga": {**VALID["ga"], "mode": "steady_state", "duplicates": "cache"}}),
        "ga.duplicates",
        "use rebreed",
    ),
    (
        "a seed genome with a trait the space lacks",
        changed("ga.seed_genomes", [{"nope": 1}]),
        "ga.seed_genomes[0].nope",
        "not a trait of this space",
    ),
    ("unknown ga setting", changed("ga.crossover", "two-point"), "ga.crossover", "unknown setting"),
    ("ga not an object", changed("ga", [20]), "ga", "must be an object"),
    ("unknown dataset", changed("dataset", "imagenet"), "dataset", "unknown dataset"),
    ("dataset of 10,000 characters", changed("dataset", "folder:" + LONG), "dataset", "at most 1000"),
    ("unknown objective", changed("objective", "xgboost"), "objective", "unknown objective"),
    ("keras trait the builder does not know", changed("objective", "keras"), "traits[0].name", "does not know"),
    ("negative seed", changed("seed", -5), "seed", "between 0"),
    ("seed as a string", changed("seed", "5"), "seed", "integer"),
    ("epochs 0", changed("training.epochs", 0), "training.epochs", "between 1 and 1000"),
    ("validation share 1.5", changed("training.validation_fraction", 1.5), "training.validation_fraction", "at most"),
    ("a cap of 5 images", changed("training.max_train_samples", 5), "training.max_train_samples", "at least 10"),
    ("images of 4 pixels", changed("training.image_size", 4), "training.image_size", "between 8 and 512"),
    ("a delay of a day", changed("training.synthetic_delay", 86_400), "training.synthetic_delay", "between 0 and 3600"),
    ("a negative delay spread", changed("training.synthetic_delay_cv", -1), "training.synthetic_delay_cv", "between"),
    ("crash share 2", changed("training.synthetic_crash", 2), "training.synthetic_crash", "between 0 and 1"),
    (
        "failures in a row of -1",
        changed("training.max_consecutive_failures", -1),
        "training.max_consecutive_failures",
        "0 (never) or more",
    ),
    (
        "an unknown early-stopping rule",
        changed("training.early_stopping", {"rule": "hyperband"}),
        "training.early_stopping.rule",
        "choose one of: median, successive_halving",
    ),
    (
        "a bracket in steady state",
        json.dumps(
            {
                **VALID,
                "ga": {**VALID["ga"], "mode": "steady_state"},
                "training": {"epochs": 3, "early_stopping": {"rule": "successive_halving", "promotion": "bracket"}},
            }
        ),
        "training.early_stopping.promotion",
        "needs ga.mode generational",
    ),
    (
        "images with the median rule",
        json.dumps({**VALID, "training": {"epochs": 3, "early_stopping": {"rule": "median", "resource": "images"}}}),
        "training.early_stopping.resource",
        "successive_halving only",
    ),
    (
        "negative size penalty",
        json.dumps({**VALID, "fitness": {"size_penalty": -1}}),
        "fitness.size_penalty",
        "between",
    ),
    ("baseline without keras", changed("baseline", True), "baseline", "keras objective"),
    ("final top 0", changed("final", {"top_k": 0}), "final.top_k", "between 1 and 20"),
    ("final epochs 0", changed("final", {"epochs": 0}), "final.epochs", "between 1 and 1000"),
    ("final baseline yes", changed("final", {"include_baseline": "yes"}), "final.include_baseline", "true or false"),
    ("final cap of 3 images", changed("final", {"max_train_samples": 3}), "final.max_train_samples", "at least 10"),
    ("final held-out share 0.9", changed("final", {"validation_fraction": 0.9}), "final.validation_fraction", "0.5"),
    ("final not an object", changed("final", 3), "final", "must be an object"),
]
IDS = [case[0] for case in CASES]


def _assert_refused(errors: dict, field: str, message: str) -> None:
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]
    assert not Search.objects.exists() and not Entity.objects.exists()


def test_the_table_refuses_a_bad_value_of_every_setting_a_spec_has():
    from dataclasses import fields

    from searches.genetics import BreedingPolicy
    from searches.spec.search import TOP_LEVEL_KEYS
    from searches.spec.training import FinalSettings, TrainingSettings

    settings_of_a_spec = {key for key in TOP_LEVEL_KEYS if key not in ("ga", "training", "fitness", "final")}
    settings_of_a_spec |= {f"final.{f.name}" for f in fields(FinalSettings)}
    settings_of_a_spec |= {f"ga.{f.name}" for f in fields(BreedingPolicy)}
    settings_of_a_spec |= {f"training.{f.name}" for f in fields(TrainingSettings)} | {"fitness.size_penalty"}
    covered = {field for _, _, field, _ in CASES} | {_changed_path(body) for _, body, _, _ in CASES}
    assert settings_of_a_spec - covered == set()


def _changed_path(body: str) -> str | None:
    """The setting a case's body changes from VALID (its first differing path), if any."""
    try:
        spec = json.loads(body)
    except ValueError:
        return None
    if not isinstance(spec, dict):
        return None
    for key in sorted(set(spec) | set(VALID)):
        if spec.get(key) != VALID.get(key):
            inner = spec.get(key)
            if isinstance(inner, dict) and isinstance(VALID.get(key), dict):
                return next((f"{key}.{k}" for k in inner if inner.get(k) != VALID[key].get(k)), key)
            return key
    return None


class _SpecErrorsScript(HTMLParser):
    """The JSON in the page's ``<script id="spec-errors">``, read with an HTML parser."""

    def __init__(self):
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script" and ("id", "spec-errors") in attrs

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


def _spec_errors(page: str) -> dict:
    parser = _SpecErrorsScript()
    parser.feed(page)
    return json.loads(parser.text)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "body", "field", "message"), CASES, ids=IDS)
def test_the_api_refuses_it_with_400(owner_client, case, body, field, message):
    response = owner_client.post("/api/searches/", data=body, content_type="application/json")
    assert response.status_code == 400
    _assert_refused(response.json()["errors"], field, message)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "body", "field", "message"), CASES, ids=IDS)
def test_the_form_refuses_it_next_to_the_field(owner_client, case, body, field, message):
    response = owner_client.post(reverse("searches:new"), {"spec": body})
    assert response.status_code == 400
    errors = _spec_errors(response.content.decode())
    _assert_refused(errors or {"": ["write a spec"]}, field if body else "", message if body else "write a spec")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "body", "field", "message"), [c for c in CASES if c[1]], ids=[c[0] for c in CASES if c[1]]
)
def test_runsearch_refuses_it(tmp_path, case, body, field, message):
    path = tmp_path / "spec.json"
    path.write_text(body)
    with pytest.raises(CommandError) as caught:
        call_command("runsearch", str(path), "--inline", stdout=io.StringIO())
    text = str(caught.value)
    assert message in text and (field == "" or f"{field}:" in text)
    assert not Search.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_body_over_the_size_limit(owner_client):
    response = owner_client.post("/api/searches/", data=changed("name", "x" * 300_000), content_type="application/json")
    assert response.status_code == 413 and not Search.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("escape", ["outside", "root/../outside", "root/link-out"])
def test_a_folder_outside_the_data_roots_is_refused_however_it_is_written(owner_client, settings, tmp_path, escape):
    (tmp_path / "root").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "root" / "link-out")
    settings.GAWEB_DATA_ROOTS = [tmp_path / "root"]
    body = changed("dataset", f"folder:{tmp_path / escape}")
    response = owner_client.post("/api/searches/", data=body, content_type="application/json")
    assert response.status_code == 400
    _assert_refused(response.json()["errors"], "dataset", "outside the allowed data roots")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
KEYS = st.sampled_from(["name", "dataset", "objective", "seed", "ga", "fitness", "training", "traits", "baseline"])


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        JSON.map(lambda value: json.dumps(value, allow_nan=True)),
        st.dictionaries(KEYS, JSON, max_size=8).map(lambda value: json.dumps(value, allow_nan=True)),
        st.builds(
            lambda key, value: changed(key, value), st.sampled_from(["ga", "traits", "training", "traits.0"]), JSON
        ),
        st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    )
)
def test_the_api_never_answers_500_to_anything(owner_client, body):
    response = owner_client.post("/api/searches/", data=body, content_type="application/json")
    assert response.status_code in (201, 400, 413)
