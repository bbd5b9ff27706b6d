"""``best.py``: a standalone script that trains a search's best network and measures it on the test split.

Anyone can reproduce the result without gaweb: the script loads the dataset (scikit-learn's
digits with gaweb's own held-out split, CIFAR-10 through ``keras.datasets``, or a folder of
``train/`` and ``test/`` class folders), builds the network, trains it on every training
image, evaluates it once on the test split, and saves the model (which takes pixels as the
dataset stores them: its scaling and standardisation are inside it).

It carries the builder's own module whole, and the one that imports Keras quietly, read as
text (the web process never imports TensorFlow or the workers' code), so the network it
builds is the one gaweb trained. Values enter the
file only as JSON text inside Python string literals made by ``repr``: no trait name or
value can become code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from searches.models import Entity, Search
from searches.spec.catalog import TUTORIAL_GENOME

# Carried whole, as text (the web process never imports TensorFlow or the workers' code): both
# import Keras and the standard library only, and a test holds them to it.
QUIET_SOURCE = settings.BASE_DIR / "workers" / "training" / "quietly.py"
BUILDER_SOURCE = settings.BASE_DIR / "workers" / "training" / "builder.py"
# gaweb's held-out digits (workers.training.loaders): the script holds out the very same images.
DIGITS_TEST = {"share": 0.2, "seed": 20_251_128}
IMAGE_SUFFIXES = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"]

HEADER = """\
# Trains the best network of a gaweb search, measures it on the test split, and saves it.
#
#     python best.py                      # train for the search's final epochs, save best.keras
#     python best.py --epochs 30 --output model.keras
#     python best.py --data DIR           # cifar10 offline, or a folder dataset moved elsewhere:
#                                         # DIR holds train/<class>/ and test/<class>/ images
#
#     GAWEB_TF_LOGS=1 python best.py      # with TensorFlow's start-up lines (kept out by default)
#
# Needs Python 3.10 or newer, Keras 3 (with TensorFlow, JAX or PyTorch) and NumPy; Pillow for image folders,
# scikit-learn for digits. Or import it and call build_model(GENOME, input_shape=INPUT_SHAPE,
# num_classes=NUM_CLASSES). ABOUT (below) says which search and entity it comes from.
"""

MAIN = '''

# --- Train it, measure it on the test split, save it ------------------------------------------

import argparse
from pathlib import Path

import numpy as np


def load_data(data=None):
    """(x_train, y_train, x_test, y_test, scale): the pixels as the dataset stores them (0 to scale)."""
    dataset = ABOUT["dataset"]
    if dataset == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images, labels = bunch.images.astype("uint8")[..., None], bunch.target
        order = np.random.default_rng(DIGITS_TEST["seed"]).permutation(len(labels))
        cut = round(DIGITS_TEST["share"] * len(order))
        test, train = np.sort(order[:cut]), np.sort(order[cut:])
        return images[train], labels[train], images[test], labels[test], 16.0
    root = data or (None if dataset == "cifar10" else dataset.split(":", 1)[1])
    if root is None:
        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        return x_train, y_train.reshape(-1), x_test, y_test.reshape(-1), 255.0
    root = Path(root)
    if not (root / "test").is_dir():
        raise SystemExit(f"{root} has no test/<class>/ folders: there is no test split to measure the model on")
    return (*read_folder(root / "train"), *read_folder(root / "test"), 255.0)


def read_folder(folder):
    from PIL import Image

    images, labels = [], []
    for label, name in enumerate(ABOUT["class_names"]):
        for path in sorted((folder / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                with Image.open(path) as image:
                    image = image.convert("RGB")
                    if image.size != (INPUT_SHAPE[1], INPUT_SHAPE[0]):
                        image = image.resize((INPUT_SHAPE[1], INPUT_SHAPE[0]), Image.Resampling.BILINEAR)
                    images.append(np.asarray(image, dtype="uint8"))
                labels.append(label)
    return np.stack(images), np.asarray(labels)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=HEADER.replace("# ", "").replace("#", ""))
    parser.add_argument("--epochs", type=int, default=ABOUT["final_epochs"])
    parser.add_argument("--output", default="best.keras")
    parser.add_argument("--data", help="a folder of train/<class>/ and test/<class>/ images")
    args = parser.parse_args()
    x_train, y_train, x_test, y_test, scale = load_data(args.data)
    scaled = x_train.astype("float32") / scale
    standardise = (scale, scaled.mean(axis=(0, 1, 2)), scaled.var(axis=(0, 1, 2)))
    keras.utils.set_random_seed(ABOUT["seed"])
    network = build_model(GENOME, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES, standardise=standardise)
    model = compile_model(network, GENOME)
    print("genome:", json.dumps(GENOME, sort_keys=True))
    preprocessing = model.get_layer("gaweb_standardise").count_params()
    print("parameters:", model.count_params() - preprocessing)
    model.fit(x_train.astype("float32"), y_train, batch_size=GENOME["batch_size"],
              epochs=args.epochs, verbose=2)
    loss, accuracy = model.evaluate(x_test.astype("float32"), y_test, verbose=0)
    print(f"test accuracy {accuracy:.4f} (loss {loss:.4f}) on {len(y_test)} test images")
    print("classes, in the order of the model's outputs:", ABOUT["class_names"])
    model.save(args.output)
    print("saved", args.output)
'''


def best_script(search: Search, best: Entity, facts: Mapping[str, Any], versions: Mapping[str, Any]) -> str:
    """The text of ``best.py`` for the search's best entity."""
    spec = search.settings
    description = {
        "search": search.pk,
        "entity": best.pk,
        "fitness": best.fitness,
        "accuracy": best.accuracy,
        "parameter_count": best.parameter_count,
        "dataset": search.dataset,
        "class_names": list(facts["class_names"]),
        "epochs": spec.training.epochs,
        "final_epochs": spec.final_epochs,
        "seed": search.seed,
        "versions": dict(versions),
    }
    return network_script(best.genome, facts["input_shape"], len(facts["class_names"]), description)


def network_script(genome: Mapping[str, Any], input_shape, num_classes: int, description: Mapping[str, Any]) -> str:
    """``best.py`` for ``genome`` (its values and ``description`` only ever as JSON data)."""

    def constant(name: str, value: Any) -> str:
        return f"{name} = json.loads({json.dumps(value)!r})\n"

    constants = (
        "import json\n\n"
        + constant("GENOME", {**TUTORIAL_GENOME, **genome})  # every trait: the builder takes no defaults
        + f"INPUT_SHAPE = tuple(json.loads({json.dumps(list(input_shape))!r}))\n"
        + constant("NUM_CLASSES", num_classes)
        + constant("ABOUT", dict(description))
        + constant("DIGITS_TEST", DIGITS_TEST)
        + constant("IMAGE_SUFFIXES", IMAGE_SUFFIXES)
        + f"HEADER = {HEADER!r}\n"
    )
    carried = [
        f"\n\n# --- {path.relative_to(settings.BASE_DIR)}, carried whole from gaweb ---\n\n" + path.read_text()
        for path in (QUIET_SOURCE, BUILDER_SOURCE)
    ]
    return HEADER + "\n" + constants + "".join(carried) + MAIN
