"""TPE keeps no state of its own: the same history gives the same proposals, in any process."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from searches.genetics import BreedingPolicy, Space, genome_hash, proposer
from searches.genetics._tpe import distributions, from_params, to_params

from .helpers import random_history, reference_space

ROOT = Path(__file__).resolve().parents[3]
TPE = BreedingPolicy(strategy="tpe")


def _propose(space, history, **context):
    return proposer("tpe")(space, TPE, seed=4, number=2, history=history, **context)


def test_the_same_history_gives_the_same_proposals_after_a_restart():
    space = reference_space()
    history = random_history(space, 2, 20)
    here = [p.genome for p in _propose(space, history)]
    # Another process, with nothing of this one: the proposals come from the history alone.
    script = (
        "import json, sys; sys.path.insert(0, '.');"
        "from searches.genetics import BreedingPolicy, proposer;"
        "from tests.searches.genetics.helpers import random_history, reference_space;"
        "space = reference_space(); history = random_history(space, 2, 20);"
        "print(json.dumps([p.genome for p in proposer('tpe')(space, BreedingPolicy(strategy='tpe'), seed=4,"
        " number=2, history=history)]))"
    )
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout) == here


def test_it_proposes_a_generation_of_new_genomes_near_the_best():
    space = reference_space()
    history = random_history(space, 2, 20)
    taken = {genome_hash(ind.genome) for ind in history}
    proposals = _propose(space, history, taken=taken)
    assert len(proposals) == 20 and all(p.origin == "tpe" for p in proposals)
    assert not taken & {genome_hash(p.genome) for p in proposals}
    assert all(space.contains(p.genome) for p in proposals)


def test_pending_candidates_are_running_trials_that_change_what_it_asks():
    space = reference_space()
    history = random_history(space, 2, 20)
    pending = [ind.genome for ind in random_history(space, 1, 10, seed=7)]
    assert [p.genome for p in _propose(space, history, pending=pending)] != [p.genome for p in _propose(space, history)]


@pytest.mark.parametrize(
    "trait",
    [
        {"name": "t", "type": "bool"},
        {"name": "t", "type": "choice", "choices": ["a", 2, True]},
        {"name": "t", "type": "int", "low": 1, "high": 9, "step": 2},
        {"name": "t", "type": "float", "low": 0, "high": 1},
        {"name": "t", "type": "float", "low": 0, "high": 1, "step": 0.1},
        {"name": "t", "type": "geometric_float", "low": 0.001, "high": 1},
        {"name": "t", "type": "geometric_float", "low": 0.001, "high": 1, "step": 10},
        {"name": "t", "type": "geometric_int", "low": 16, "high": 256, "step": 2},
        {"name": "t", "type": "geometric_int", "low": 1, "high": 1000},
    ],
)
def test_every_trait_type_maps_onto_optuna_and_back(trait):
    space = Space.from_spec([trait])
    rng = random.Random(1)
    for _ in range(50):
        genome = space.sample(rng)
        params = to_params(space, genome)
        assert distributions(space)["t"]._contains(distributions(space)["t"].to_internal_repr(params["t"]))
        assert from_params(space, params) == genome
