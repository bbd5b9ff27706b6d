"""Shared set-up for the benchmark scripts: Django, the CIFAR-10 JPEGs from ../shared, statistics."""

from __future__ import annotations

import os
import statistics
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_CIFAR = ROOT.parent / "shared" / "datasets" / "cifar10-train-jpg.tar.xz"


def setup_django(var_dir: Path | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    if var_dir is not None:
        os.environ["GAWEB_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaweb.settings")
    import django

    django.setup()


def cifar10_folder(archive: Path, into: Path) -> Path:
    """The class folders of the CIFAR-10 JPEG archive, unpacked once into ``into``."""
    train = into / "train"
    if not (train / "truck").is_dir():
        if not archive.is_file():
            sys.exit(f"{archive} not found: pass --archive with the CIFAR-10 JPEG archive")
        into.mkdir(parents=True, exist_ok=True)
        print(f"unpacking {archive} into {into} ...", flush=True)
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
    return train


# The held-out test split that the CIFAR-10 benchmarks carve out of the training split (the only
# CIFAR-10 here): this many images per class, drawn by a fixed seed.
TEST_PER_CLASS = 1000
SPLIT_SEED = 2026


def held_out_layout(train: Path, into: Path, per_class: int = TEST_PER_CLASS) -> Path:
    """``into/train/<class>`` and ``into/test/<class>`` (hard links to the unpacked images): the
    layout that ``folder:`` datasets and ``GAWEB_CIFAR10_PATH`` take, with a test split no search sees."""
    import os
    import random

    if (into / "test").is_dir():
        return into
    for folder in sorted(p for p in train.iterdir() if p.is_dir()):
        images = sorted(folder.iterdir())
        random.Random(f"{SPLIT_SEED}-{folder.name}").shuffle(images)
        for part, chosen in (("test", images[:per_class]), ("train", images[per_class:])):
            target = into / part / folder.name
            target.mkdir(parents=True, exist_ok=True)
            for image in chosen:
                os.link(image, target / image.name)
    return into


def summary(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} (min {min(values):.1f}, max {max(values):.1f})"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def shown(path: Path) -> str:
    """A path as the user will recognise it: relative to the project when it lies inside."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def isolated_gaweb(prefix: str) -> tuple[Path, int]:
    """Set up Django on a fresh var folder (its own SQLite database), migrated, with a queue of
    its own and the URL of a private Redis on a free port (the caller starts that Redis).

    Returns the folder and the port, so that a benchmark never touches the user's searches.
    """
    import socket
    import tempfile
    import uuid

    var = Path(tempfile.mkdtemp(prefix=prefix))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    os.environ.update(
        GAWEB_VAR_DIR=str(var), REDIS_URL=f"redis://127.0.0.1:{port}/0", GAWEB_QUEUE=f"bench-{uuid.uuid4().hex[:8]}"
    )
    os.environ.pop("DATABASE_URL", None)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return var, port


def start_cpu_workers(count: int, log_path: Path, *, cpu_count: int, env_for=lambda index: {}) -> list:
    """Real Celery workers as ``runworkers`` plans them, on this installation's queue.

    ``env_for(index)`` adds settings for one worker (a simulated slowdown, say).
    """
    import subprocess
    import sys

    from django.conf import settings

    from gaweb.runtime.supervisor import plan_workers

    plans = plan_workers(
        gpus=[], cpu_workers=count, cpu_count=cpu_count, python=sys.executable,
        queue=settings.CELERY_TASK_DEFAULT_QUEUE, max_memory_mb=settings.GAWEB_WORKER_MAX_MEMORY_MB,
    )  # fmt: skip
    log = open(log_path, "w")  # noqa: SIM115 (the workers write to it until they stop)
    return [
        subprocess.Popen(
            plan.argv,
            env={**os.environ, **plan.env, **env_for(index)},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for index, plan in enumerate(plans)
    ]
