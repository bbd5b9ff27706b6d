"""PNG plots of the benchmarks' JSON results (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _save(figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_worker_overhead(result: dict, path: Path) -> None:
    gaweb, naive = result["gaweb"], result.get("naive")
    names = ["gaweb worker"] + (["a process per entity"] if naive else [])
    fit = [gaweb["fit_seconds"]] + ([naive["fit_seconds"]] if naive else [])
    other = [gaweb["wall_seconds"] - gaweb["fit_seconds"]] + (
        [naive["wall_seconds"] - naive["fit_seconds"]] if naive else []
    )
    figure, axes = plt.subplots(figsize=(7, 3.2))
    axes.barh(names, fit, color="#4a6fa5", label="in model.fit")
    axes.barh(names, other, left=fit, color="#e67e22", label="not training")
    axes.set_xlabel(f"seconds for the same {result['entities']} digits entities")
    axes.legend(loc="lower right")
    _save(figure, path)


def plot_trainer_throughput(result: dict, path: Path) -> None:
    rates = result["images_per_second"]
    repeats = range(1, len(rates["gaweb"]) + 1)
    figure, axes = plt.subplots(figsize=(7, 3.4))
    width = 0.38
    axes.bar([r - width / 2 for r in repeats], rates["gaweb"], width, color="#27ae60", label="gaweb train_candidate")
    axes.bar([r + width / 2 for r in repeats], rates["plain"], width, color="#7f8c8d", label="plain model.fit")
    axes.set_xticks(list(repeats))
    axes.set_xlabel("repeat (both sides in the same process, alternating)")
    axes.set_ylabel("images per second")
    axes.legend()
    _save(figure, path)


def plot_dashboard_scale(result: dict, path: Path) -> None:
    figure, axes = plt.subplots(figsize=(7, 3.8))
    for endpoint, colour in (
        ("first-look-ever", "#e67e22"),
        ("first-look", "#c0392b"),
        ("whole-after-change", "#8e44ad"),
        ("leaderboard-first", "#16a085"),
        ("update", "#4a6fa5"),
        ("unchanged", "#27ae60"),
        ("page", "#7f8c8d"),
    ):
        rows = [r for r in result["results"] if r["endpoint"] == endpoint]
        if rows:
            axes.plot(
                [r["entities"] for r in rows], [r["p95_ms"] for r in rows], marker="o", color=colour, label=endpoint
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("entities in the search")
    axes.set_ylabel("95th percentile, ms")
    axes.legend()
    _save(figure, path)
