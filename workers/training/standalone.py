"""Writes a standalone Python file that builds a genome's Keras network (the ``best.py`` download).

The file carries the builder's own source, so the network it builds is the one
gaweb trained. Values enter the file only as JSON text inside a Python string
literal made by ``repr``, so no trait name or value can become code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from searches.catalog import TUTORIAL_GENOME

BUILDER_SOURCE = Path(__file__).with_name("builder.py")
CATALOG_IMPORT = "from searches.catalog import TUTORIAL_GENOME\n"


def standalone_script(
    *,
    genome: Mapping[str, Any],
    input_shape: tuple[int, ...],
    num_classes: int,
    description: Mapping[str, Any],
) -> str:
    source = BUILDER_SOURCE.read_text()
    if CATALOG_IMPORT not in source:
        raise RuntimeError("the builder no longer imports the catalog as expected")
    constants = (
        "import json\n\n"
        f"TUTORIAL_GENOME = json.loads({json.dumps(TUTORIAL_GENOME)!r})\n"
        f"GENOME = json.loads({json.dumps(dict(genome))!r})\n"
        f"INPUT_SHAPE = tuple(json.loads({json.dumps(list(input_shape))!r}))\n"
        f"NUM_CLASSES = json.loads({json.dumps(num_classes)!r})\n"
        f"ABOUT = json.loads({json.dumps(dict(description))!r})\n"
    )
    header = (
        "# Builds the best network of a gaweb search, with the values the search found.\n"
        "# Needs Keras 3 (with TensorFlow, JAX or PyTorch). Run it to see the model; import it\n"
        "# and call build_model(GENOME, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES) to use it.\n"
        "# ABOUT (below) says which search, entity and settings it comes from.\n"
    )
    main = (
        "\n\nif __name__ == '__main__':\n"
        "    model = compile_model(build_model(GENOME, input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES), GENOME)\n"
        "    model.summary()\n"
        "    print('genome:', json.dumps(complete_genome(GENOME), sort_keys=True))\n"
        "    print('batch_size:', complete_genome(GENOME)['batch_size'], ' epochs:', ABOUT.get('epochs'))\n"
        "    print('parameters:', model.count_params())\n"
    )
    return header + source.replace(CATALOG_IMPORT, constants) + main


def dataset_shape(dataset: str, *, image_size: int) -> tuple[tuple[int, ...], int]:
    """The input shape and number of classes a search's dataset gives the network."""
    if dataset == "digits":
        return (8, 8, 1), 10
    if dataset == "cifar10":
        return (32, 32, 3), 10
    folder = Path(dataset.split(":", 1)[1])
    classes = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")] if folder.is_dir() else []
    return (image_size, image_size, 3), max(len(classes), 2)
