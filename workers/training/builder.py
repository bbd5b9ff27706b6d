"""Turns a genome into a ``keras.Model``: the TensorFlow CIFAR-10 tutorial network, generalised.

Only Keras 3's backend-neutral API is used here (``keras.layers``, ``keras.ops``),
so the same builder runs on TensorFlow, JAX or PyTorch.

The network: optional augmentation (random horizontal flip, and a random shift of up
to 4 pixels with zero fill, which is a random crop of the image padded by 4 pixels), then ``conv_blocks`` blocks of
convolution (ReLU, same padding) -> pooling (3x3, stride 2) -> normalisation
(when ``conv{i}_norm``; local response or batch normalisation), then
dropout -> dense ``dense1_units`` (ReLU) -> dropout -> dense ``dense2_units`` (ReLU)
-> dense (one linear output per class). L2 weight decay applies to the two
hidden dense layers, as in the tutorial. The genome gives every trait: callers complete it
with the tutorial's values first (``workers.training.trainer.complete_genome``).

Self-contained: it imports Keras and the standard library only, and has no ``from __future__``
line, so that ``best.py`` carries this file whole (``searches.exports.best_py``); a test holds
it to that. Whoever imports it first imports Keras quietly (``workers.training.quietly``).
"""

from collections.abc import Mapping
from typing import Any

import keras

layers, ops = keras.layers, keras.ops


def local_response_normalization(x, *, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75):
    """``tf.nn.local_response_normalization`` in backend-neutral Keras, with the tutorial's values.

    Each activation is divided by ``(bias + alpha * sum of squares of the
    2 * depth_radius + 1 neighbouring channels) ** beta``.

    Written as ``keras.ops`` calls on the functional graph, not as a layer class of gaweb's: a
    saved model then holds only Keras's own operations, and ``keras.saving.load_model`` opens
    ``best.keras`` in any Python with Keras, without gaweb's code.
    """
    channels = x.shape[-1]
    padded = ops.pad(ops.square(x), [[0, 0], [0, 0], [0, 0], [depth_radius, depth_radius]])
    window = padded[..., 0:channels]
    for offset in range(1, 2 * depth_radius + 1):
        window = ops.add(window, padded[..., offset : offset + channels])
    return ops.divide(x, ops.power(ops.add(ops.multiply(window, alpha), bias), beta))


@keras.saving.register_keras_serializable(package="gaweb")
class LocalResponseNormalization(layers.Layer):
    """The same normalisation as a layer: models that earlier versions of gaweb saved name it, and
    load with it.

    New models use ``local_response_normalization``, which needs no gaweb code to load.
    """

    def __init__(
        self, depth_radius: int = 4, bias: float = 1.0, alpha: float = 0.001 / 9.0, beta: float = 0.75, **kwargs
    ):
        super().__init__(**kwargs)
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta

    def call(self, inputs):
        return local_response_normalization(
            inputs, depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_radius": self.depth_radius,
            "bias": self.bias,
            "alpha": self.alpha,
            "beta": self.beta,
        }


def build_model(
    genome: Mapping[str, Any],
    *,
    input_shape: tuple[int, ...],
    num_classes: int,
    standardise: tuple[float, Any, Any] | None = None,
) -> keras.Model:
    """The genome's network. ``standardise`` = (scale, mean, variance) puts the preprocessing inside
    it: it then takes pixels as the dataset stores them (0 to ``scale``), divides them by ``scale``
    and standardises each channel with ``mean`` and ``variance`` (a final model, ready to use)."""
    g = genome
    inputs = keras.Input(shape=input_shape)
    x = inputs
    if standardise is not None:
        scale, mean, variance = standardise
        x = layers.Rescaling(1.0 / scale, name="gaweb_rescaling")(x)
        x = layers.Normalization(
            mean=list(map(float, mean)), variance=list(map(float, variance)), name="gaweb_standardise"
        )(x)
    if g["augment"]:
        # A shift of up to 4 pixels with zero fill is the tutorial's crop of a 4-pixel-padded
        # image; unlike RandomCrop it keeps the shape at inference, where it does nothing.
        height, width = input_shape[0], input_shape[1]
        x = layers.RandomFlip("horizontal")(x)
        x = layers.RandomTranslation(4 / height, 4 / width, fill_mode="constant")(x)
    for block in range(1, g["conv_blocks"] + 1):
        x = layers.Conv2D(g[f"conv{block}_filters"], g[f"conv{block}_kernel"], padding="same", activation="relu")(x)
        pool = layers.MaxPooling2D if g["pooling"] == "max" else layers.AveragePooling2D
        x = pool(pool_size=3, strides=2, padding="same")(x)
        if g[f"conv{block}_norm"]:
            x = local_response_normalization(x) if g["normalization"] == "lrn" else layers.BatchNormalization()(x)
    x = layers.Flatten()(x)
    # tf.nn.l2_loss, which the tutorial used, is half the sum of squares.
    regularizer = keras.regularizers.L2(g["weight_decay"] / 2) if g["weight_decay"] else None
    for units in (g["dense1_units"], g["dense2_units"]):
        if g["dropout"]:
            x = layers.Dropout(g["dropout"])(x)
        x = layers.Dense(units, activation="relu", kernel_regularizer=regularizer)(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs, name="gaweb_candidate")


def make_optimizer(genome: Mapping[str, Any]) -> keras.optimizers.Optimizer:
    rate = genome["learning_rate"]
    return {
        "sgd": lambda: keras.optimizers.SGD(rate),
        "momentum": lambda: keras.optimizers.SGD(rate, momentum=0.9),
        "adam": lambda: keras.optimizers.Adam(rate),
        "rmsprop": lambda: keras.optimizers.RMSprop(rate),
    }[genome["optimizer"]]()


def compile_model(model: keras.Model, genome: Mapping[str, Any]) -> keras.Model:
    model.compile(
        optimizer=make_optimizer(genome),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
