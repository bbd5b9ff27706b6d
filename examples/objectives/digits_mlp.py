"""A scikit-learn MLP on the 8x8 digits, searched by gaweb through a plain Python function.

It knows nothing of gaweb: ``train`` takes a genome (a dict of trait values) and a ``report``
callable, calls ``report`` with the validation accuracy after each epoch (gaweb draws the
curve and its early-stopping rule may end the candidate there), and returns its fitness.

A fifth of the digits is its test split: no candidate sees it. ``trains_final`` below lets the
dashboard's "Train the best on all data" call ``train`` once more for the search's best, with
``report.final`` true: it then trains on all the other digits, measures on the test split, and
hands gaweb the fitted pipeline (``report.save_model``), which the dashboard offers as the best
model (``joblib.load`` it, then ``.predict(pixels)``; pixels 0-16, 64 per image).

Register it on the machine that trains (it is not an installed package), then start a search
from ``examples/objectives/digits_mlp.json``:

    export GAWEB_OBJECTIVES="digits_mlp=examples.objectives.digits_mlp:train"
    .venv/bin/python manage.py runsearch examples/objectives/digits_mlp.json --inline
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# Epochs per candidate; the spec's training.epochs says the same, for its early-stopping rule.
EPOCHS = 12


def train(genome, report):
    x, y = load_digits(return_X_y=True)
    # The test split: measured once, in the final training, never by a candidate.
    x, x_test, y, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    if report.final:  # all the other digits to train on; the measure is on the test split
        x_train, y_train, x_val, y_val = x, y, x_test, y_test
    else:
        x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_train)
    model = MLPClassifier(
        hidden_layer_sizes=(genome["hidden_units"],) * genome["layers"],
        activation=genome["activation"],
        alpha=genome["alpha"],
        learning_rate_init=genome["learning_rate"],
        batch_size=genome["batch_size"],
        random_state=report.seed,  # gaweb's seed: a confirmation trains from other initial weights
    )
    classes = np.unique(y)
    measured = "test_accuracy" if report.final else "val_accuracy"
    for epoch in range(1, EPOCHS + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(scaler.transform(x_train), y_train, classes=classes)
        accuracy = model.score(scaler.transform(x_val), y_val)
        report(epoch, **{measured: accuracy}, loss=model.loss_)
    parameters = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
    if report.final:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "digits_mlp.joblib"
            joblib.dump(make_pipeline(scaler, model), path)
            report.save_model(path)  # read now: the folder may go
    return {measured: accuracy, "parameter_count": parameters}


# What gaweb shows in the form, and the traits a spec for it may name.
train.description = "a scikit-learn MLP on the 8x8 digits (examples/objectives/digits_mlp.py)"
train.traits = ["hidden_units", "layers", "activation", "alpha", "learning_rate", "batch_size"]
# It has a final mode (report.final): the dashboard's "Train the best on all data" works for it.
train.trains_final = True
