"""Images per second of gaweb's trainer against plain ``model.fit`` of the same network.

Both sides train the tutorial network (the builder's default genome) on the same
CIFAR-10 arrays in the same process, alternating, so that a noisy machine biases
neither. Run:

    .venv/bin/python bench/trainer_throughput.py            # about 5 minutes on 2 CPU cores

Options: --images N (training images), --epochs, --repeats, --archive PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from _common import ROOT, SHARED_CIFAR, cifar10_folder, setup_django, shown, summary
from _plots import plot_trainer_throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--archive", type=Path, default=SHARED_CIFAR)
    parser.add_argument(
        "--random-images", type=int, default=0, help="use this many random 32x32 images instead (a quick check)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "trainer_throughput.json")
    parser.add_argument("--replot", action="store_true", help="only draw the PNG again from the JSON")
    args = parser.parse_args()
    if args.replot:
        plot_trainer_throughput(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
        return

    setup_django()
    import keras
    import numpy as np

    from searches.spec.catalog import TUTORIAL_GENOME
    from workers.training.builder import build_model, compile_model
    from workers.training.datasets import split
    from workers.training.loaders import load_folder
    from workers.training.sources import InMemory
    from workers.training.trainer import train_candidate

    if args.random_images:
        rng = np.random.default_rng(0)
        data = InMemory(
            rng.integers(0, 256, (args.random_images, 32, 32, 3), dtype=np.uint8),
            rng.integers(0, 10, args.random_images).astype(np.int32),
            tuple(str(i) for i in range(10)),
        )
    else:
        folder = cifar10_folder(args.archive, ROOT / "var" / "bench" / "cifar10")
        data = load_folder(folder, image_size=32, data_roots=[folder]).search
    started = time.perf_counter()
    arrays = split(data, seed=1, validation_fraction=0.2, max_train_samples=args.images)
    decoded = len(arrays.y_train) + len(arrays.y_val)
    print(f"decoded {decoded:,} images in {time.perf_counter() - started:.1f}s", flush=True)
    genome = dict(TUTORIAL_GENOME)
    trained_images = len(arrays.y_train) * args.epochs

    def gaweb() -> float:
        outcome = train_candidate(genome, arrays, epochs=args.epochs, seed=1)
        return outcome.timings["fit"]

    def plain() -> float:
        keras.backend.clear_session()
        keras.utils.set_random_seed(1)
        model = compile_model(build_model(genome, input_shape=arrays.input_shape, num_classes=10), genome)
        began = time.perf_counter()
        model.fit(
            arrays.x_train, arrays.y_train, batch_size=genome["batch_size"], epochs=args.epochs,
            validation_data=(arrays.x_val, arrays.y_val), verbose=0,
        )  # fmt: skip
        return time.perf_counter() - began

    rates = {"gaweb": [], "plain": []}
    for repeat in range(args.repeats):
        for name, run in (
            (("gaweb", gaweb), ("plain", plain)) if repeat % 2 == 0 else (("plain", plain), ("gaweb", gaweb))
        ):
            seconds = run()
            rates[name].append(trained_images / seconds)
            print(f"repeat {repeat + 1} {name:>5}: {rates[name][-1]:.1f} images/s", flush=True)

    ratios = [g / p for g, p in zip(rates["gaweb"], rates["plain"], strict=True)]
    print(f"\n{'':<24}{'images/s (median, range)':>40}")
    print(f"{'gaweb train_candidate':<24}{summary(rates['gaweb']):>40}")
    print(f"{'plain model.fit':<24}{summary(rates['plain']):>40}")
    print(f"{'ratio gaweb/plain':<24}{sorted(ratios)[len(ratios) // 2]:>40.3f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "benchmark": "trainer_throughput", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "keras_backend": keras.backend.backend(), "keras": keras.__version__,
        "train_images": len(arrays.y_train), "validation_images": len(arrays.y_val), "epochs": args.epochs,
        "images_per_second": rates, "ratio_per_repeat": ratios,
    }, indent=2) + "\n")  # fmt: skip
    plot_trainer_throughput(json.loads(args.output.read_text()), args.output.with_suffix(".png"))
    print(f"written {shown(args.output)}")


if __name__ == "__main__":
    main()
