from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def exported(tmp_path, synthetic_spec):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(synthetic_spec))
    output = _run("runsearch", str(path), "--inline")
    search_id = int(output.split("#", 1)[1].split()[0])
    return output, json.loads(_run("exportsearch", str(search_id)))


@pytest.mark.django_db
def test_runsearch_inline_prints_a_line_per_generation(exported):
    output, _ = exported
    lines = [line for line in output.splitlines() if line.startswith("generation ")]
    assert [line.split(":")[0] for line in lines] == [f"generation {n}/8" for n in range(1, 9)]
    assert all("its best" in line and "its mean" in line and "elapsed" in line for line in lines)
    so_far = [float(line.split("best so far ")[1].split()[0]) for line in lines]
    assert so_far == sorted(so_far)  # the best so far never goes down, whatever one generation's best
    assert "completed" in output


@pytest.mark.django_db
def test_the_export_holds_eight_generations_of_twenty_with_parents_and_fitnesses(exported):
    _, export = exported
    assert export["search"]["status"] == "completed"
    assert export["search"]["combinations"] == 138_240
    assert [g["candidates"] for g in export["generations"]] == [20] * 8
    entities = {e["id"]: e for e in export["entities"]}
    candidates = [e for e in entities.values() if e["origin"] != "immigrant"]
    assert len(candidates) == 160
    for entity in candidates:
        assert entity["status"] in ("done", "cached") and entity["fitness"] is not None
        if entity["generation"] == 0:
            assert entity["origin"] == "random" and entity["parents"] == []
        else:
            assert entity["origin"] == "offspring" and len(entity["parents"]) == 2
            for parent_id in entity["parents"]:
                parent = entities[parent_id]
                assert parent["generation"] < entity["generation"] or parent["origin"] == "immigrant"
    immigrants = [e for e in entities.values() if e["origin"] == "immigrant"]
    assert len(immigrants) == 7 and all(e["status"] == "parent_only" for e in immigrants)


@pytest.mark.django_db
def test_the_export_carries_the_spec_it_was_run_with(exported, synthetic_spec):
    _, export = exported
    assert export["spec"]["traits"] == synthetic_spec["traits"]
    assert {key: export["spec"]["ga"][key] for key in synthetic_spec["ga"]} == synthetic_spec["ga"]
    assert export["spec"]["ga"]["strategy"] == "genetic"  # the default, written out in the normal form
    assert export["spec"]["seed"] == synthetic_spec["seed"]


@pytest.mark.django_db
def test_the_synthetic_search_raises_mean_fitness_from_the_first_generation_to_the_last(exported):
    _, export = exported
    means = [g["mean_fitness"] for g in export["generations"]]
    assert means[-1] > means[0] + 0.1


@pytest.mark.django_db
def test_the_same_spec_and_seed_give_the_same_search(tmp_path, synthetic_spec):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(synthetic_spec))
    genomes = []
    for _ in range(2):
        output = _run("runsearch", str(path), "--inline")
        export = json.loads(_run("exportsearch", output.split("#", 1)[1].split()[0]))
        genomes.append([(e["generation"], e["index"], e["genome"]) for e in export["entities"]])
    assert genomes[0] == genomes[1]


@pytest.mark.django_db
def test_runsearch_lists_every_problem_of_a_bad_spec(tmp_path, synthetic_spec):
    synthetic_spec["ga"]["population"] = 1
    synthetic_spec["traits"][0]["low"] = 0
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(synthetic_spec))
    with pytest.raises(CommandError) as caught:
        _run("runsearch", str(path), "--inline")
    assert "ga.population" in str(caught.value) and "traits[0].low" in str(caught.value)


@pytest.mark.django_db
def test_runsearch_says_where_a_spec_is_not_json(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text('{"name": "x",\n "traits": [}')
    with pytest.raises(CommandError, match=r"not valid JSON: .* line 2"):
        _run("runsearch", str(path), "--inline")


@pytest.mark.django_db
def test_exportsearch_says_when_there_is_no_such_search():
    with pytest.raises(CommandError, match="no search #999"):
        _run("exportsearch", "999")


@pytest.mark.django_db
def test_runsearch_says_a_search_failed_with_its_reason_and_a_non_zero_status(tmp_path, synthetic_spec):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**synthetic_spec, "training": {"synthetic_crash": 1.0}}))
    with pytest.raises(CommandError, match=r"search #\d+ failed: .*told to crash"):
        _run("runsearch", str(path), "--inline")


@pytest.mark.django_db
def test_each_generation_s_line_counts_the_candidates_stopped_early(tmp_path, synthetic_spec):
    spec = {
        **synthetic_spec,
        "training": {"epochs": 3, "early_stopping": {"rule": "successive_halving", "min_epochs": 1, "reduction": 3}},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    lines = [line for line in _run("runsearch", str(path), "--inline").splitlines() if line.startswith("generation ")]
    counts = [
        (int(line.split("(done ")[1].split(",")[0]), int(line.split("stopped early ")[1].split(",")[0]))
        for line in lines
    ]
    population = synthetic_spec["ga"]["population"]
    assert all(done + stopped == population for done, stopped in counts)  # no failures, no copies here
    assert sum(stopped for _, stopped in counts) > 0
