"""A small ResNet-style network, searched by gaweb through a Keras builder.

gaweb supplies the rest: the dataset (``digits``, CIFAR-10 or an image folder, standardised per
channel), its trainer, early stopping, confirmation, final training and ``best.keras``. The
builder only turns a genome into a compiled model that outputs one logit per class.

Register it on the machine that trains, then start a search from ``small_resnet.json``:

    export GAWEB_OBJECTIVES="small_resnet=examples.objectives.small_resnet:build"
    .venv/bin/python manage.py runsearch examples/objectives/small_resnet.json --inline
"""

from __future__ import annotations

import keras
from keras import layers


def build(genome, input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(genome["filters"], 3, padding="same", activation="relu")(inputs)
    for _ in range(genome["blocks"]):
        shortcut = x
        x = layers.Conv2D(genome["filters"], 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(genome["filters"], 3, padding="same")(x)
        x = layers.Activation("relu")(layers.Add()([shortcut, x]))
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(num_classes)(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(genome["learning_rate"]),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


build.description = "a small ResNet-style network (examples/objectives/small_resnet.py)"
build.traits = ["filters", "blocks", "learning_rate", "batch_size"]
