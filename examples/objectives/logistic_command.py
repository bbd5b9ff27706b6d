"""A training program that knows nothing of gaweb: logistic regression by stochastic gradient
descent, in plain Python, on two noisy interleaved classes it draws itself.

gaweb runs it once per candidate (see objectives.toml beside it). It reads its genome from the
JSON file named by its first argument, its epochs and seed from GAWEB_EPOCHS and GAWEB_SEED, and
prints a JSON line after each epoch, then its result, as the last line:

    {"epoch": 1, "val_accuracy": 0.71, "loss": 0.58}
    ...
    {"val_accuracy": 0.83}

With GAWEB_FINAL=1 (gaweb's "Train the best on all data", allowed by ``trains_final`` in
objectives.toml) it trains on the training and validation points, measures on its test points,
writes its weights as JSON into GAWEB_MODEL_DIR, and prints {"test_accuracy": ...} last.

Try it alone: echo '{"learning_rate": 0.1, "l2": 0.001, "features": 3}' > g.json
and run python3 logistic_command.py g.json
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
from pathlib import Path


def dataset(rng: random.Random, count: int, features: int):
    """Points around two centres, with a wavy boundary that more features capture better."""
    rows = []
    for _ in range(count):
        label = rng.random() < 0.5
        x, y = rng.gauss(1.0 if label else -1.0, 1.2), rng.gauss(0.0, 1.2)
        terms = [x, y, x * y, math.sin(2 * x), math.cos(2 * y), x * x - y * y][:features]
        rows.append((terms, 1 if label ^ (math.sin(3 * y) > 0.9) else 0))
    return rows


def main() -> None:
    genome = json.loads(Path(sys.argv[1]).read_text())
    epochs = int(os.environ.get("GAWEB_EPOCHS", "5"))
    rng = random.Random(int(os.environ.get("GAWEB_SEED", "0")))
    final = os.environ.get("GAWEB_FINAL") == "1"
    data = dataset(random.Random(7), 1500, genome["features"])
    # The last 300 points are the test split: measured only in a final training.
    train, validation = (data[:1200], data[1200:]) if final else (data[:900], data[900:1200])
    measured = "test_accuracy" if final else "val_accuracy"
    weights, bias = [0.0] * genome["features"], 0.0
    rate, l2 = genome["learning_rate"], genome["l2"]
    for epoch in range(1, epochs + 1):
        rng.shuffle(train)
        loss = 0.0
        for terms, label in train:
            z = max(-30.0, min(30.0, bias + sum(w * t for w, t in zip(weights, terms, strict=True))))
            p = 1 / (1 + math.exp(-z))
            loss -= math.log(p if label else 1 - p)
            weights = [w - rate * ((p - label) * t + l2 * w) for w, t in zip(weights, terms, strict=True)]
            bias -= rate * (p - label)
        correct = sum(
            (bias + sum(w * t for w, t in zip(weights, terms, strict=True)) > 0) == bool(label)
            for terms, label in validation
        )
        accuracy = correct / len(validation)
        print(json.dumps({"epoch": epoch, measured: accuracy, "loss": loss / len(train)}), flush=True)
    if final:
        model = {"weights": weights, "bias": bias, "features": genome["features"]}
        (Path(os.environ["GAWEB_MODEL_DIR"]) / "logistic.json").write_text(json.dumps(model))
    print(json.dumps({measured: accuracy, "parameter_count": len(weights) + 1}))


if __name__ == "__main__":
    main()
