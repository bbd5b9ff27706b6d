"""A scikit-learn MLP on the 8x8 digits, searched by gaweb through a plain Python function.

It knows nothing of gaweb: ``train`` takes a genome (a dict of trait values) and a ``report``
callable, calls ``report`` with the validation accuracy after each epoch (gaweb draws the
curve and its early-stopping rule may end the candidate there), and returns its fitness.

Register it on the machine that trains (it is not an installed package), then start a search
from ``examples/objectives/digits_mlp.json``:

    export GAWEB_OBJECTIVES="digits_mlp=examples.objectives.digits_mlp:train"
    .venv/bin/python manage.py runsearch examples/objectives/digits_mlp.json --inline
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

# Epochs per candidate; the spec's training.epochs says the same, for its early-stopping rule.
EPOCHS = 12


def train(genome, report):
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    model = MLPClassifier(
        hidden_layer_sizes=(genome["hidden_units"],) * genome["layers"],
        activation=genome["activation"],
        alpha=genome["alpha"],
        learning_rate_init=genome["learning_rate"],
        batch_size=genome["batch_size"],
        random_state=0,
    )
    classes = np.unique(y)
    for epoch in range(1, EPOCHS + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(x_train, y_train, classes=classes)
        accuracy = model.score(x_val, y_val)
        report(epoch, val_accuracy=accuracy, loss=model.loss_)
    parameters = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
    return {"val_accuracy": accuracy, "parameter_count": parameters}


# What gaweb shows in the form, and the traits a spec for it may name.
train.description = "a scikit-learn MLP on the 8x8 digits (examples/objectives/digits_mlp.py)"
train.traits = ["hidden_units", "layers", "activation", "alpha", "learning_rate", "batch_size"]
