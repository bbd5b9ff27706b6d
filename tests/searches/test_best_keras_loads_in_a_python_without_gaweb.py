"""best.keras opens in a fresh Python that has Keras and nothing of gaweb, and scores there what
the final training recorded: a user needs no gaweb code to use the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from searches import services
from searches.models import FinalModel, Search
from workers.inline import run_final_inline, run_inline
from workers.training.loaders import load_digits

SPEC = {
    "name": "best.keras anywhere", "dataset": "digits", "objective": "keras", "seed": 3,
    "ga": {"population": 2, "generations": 1, "elite_previous": 1, "elite_all_time": 1},
    "training": {"epochs": 1, "max_train_samples": 200},
    "final": {"top_k": 1, "epochs": 1, "max_train_samples": 300},
    # The tutorial's values elsewhere: local response normalisation after both blocks.
    "traits": [{"name": "conv1_filters", "type": "geometric_int", "low": 8, "high": 16, "step": 2},
               {"name": "normalization", "type": "choice", "choices": ["lrn"]}],
}  # fmt: skip

# Run in a folder of its own, with no PYTHONPATH: gaweb's packages cannot even be found.
ELSEWHERE = """
import importlib.util, json, sys, warnings
import keras, numpy as np
assert not any(importlib.util.find_spec(name) for name in ("gaweb", "searches", "workers")), sys.path
with warnings.catch_warnings(record=True) as warned:
    warnings.simplefilter("always")
    model = keras.saving.load_model("best.keras")
pixels, labels = np.load("pixels.npy"), np.load("labels.npy")
logits = model.predict(pixels, verbose=0)
accuracy = float((logits.argmax(axis=1) == labels).mean())
layers = [type(layer).__name__ for layer in model.layers]
print(json.dumps({"accuracy": accuracy, "layers": layers, "warnings": [str(w.message) for w in warned]}))
"""


@pytest.mark.django_db
def test_best_keras_loads_without_gaweb_and_gives_the_stored_test_accuracy(tmp_path):
    search = run_inline(services.search_create(spec=SPEC, execution=Search.Execution.INLINE).pk)
    finals = run_final_inline(search.pk)
    assert all(e.status == "done" for e in finals)
    test = load_digits().test
    np.save(tmp_path / "pixels.npy", test.pixels(np.arange(len(test))).astype("float32"))
    np.save(tmp_path / "labels.npy", test.labels)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    for entity in finals:
        (tmp_path / "best.keras").write_bytes(bytes(FinalModel.objects.get(entity=entity).data))
        ran = subprocess.run(
            [sys.executable, "-c", ELSEWHERE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert ran.returncode == 0, ran.stderr[-3000:]
        loaded = json.loads(ran.stdout.strip().splitlines()[-1])
        assert loaded["accuracy"] == pytest.approx(entity.test_accuracy, abs=1e-6)
        assert "LocalResponseNormalization" not in loaded["layers"] and loaded["warnings"] == []
