"""How candidates are trained (``training``), and how a finished search's best are trained at last (``final``).

Both are sections of the JSON spec (see ``searches.spec.search``), parsed here with messages
keyed by the field they concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from searches.genetics import ErrorCollector, SpecError, StoppingRule, is_number


@dataclass(frozen=True)
class TrainingSettings:
    """How each candidate is trained (the spec's ``training``). Each field's ``metadata["doc"]`` is
    its line in the generated spec reference (``searches.spec.reference``)."""

    epochs: int = field(
        default=1,
        metadata={"doc": "Epochs each candidate trains for (early stopping may end it sooner), from 1 to 1,000."},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"doc": "A cap on the training images (`null`: all of them; 10 to 100,000,000)."}
    )
    validation_fraction: float = field(
        default=0.2,
        metadata={
            "doc": "The share of the data held out to measure fitness, chosen by the search's seed "
            "(more than 0, at most 0.9)."
        },
    )
    image_size: int = field(
        default=32,
        metadata={"doc": "The side, in pixels, that images of a `folder:` dataset are resized to (8 to 512)."},
    )
    synthetic_delay: float = field(
        default=0.0, metadata={"doc": "Seconds the synthetic objective takes per candidate (0 to 3,600)."}
    )
    synthetic_delay_cv: float = field(
        default=0.0,
        metadata={
            "doc": "Spreads the synthetic objective's delays: their coefficient of variation, fixed per genome "
            "(0 to 10)."
        },
    )
    synthetic_crash: float = field(
        default=0.0,
        metadata={
            "doc": "The share of genomes (0 to 1) on which the synthetic objective kills its worker: a fault test."
        },
    )
    early_stopping: dict[str, Any] | None = field(
        default=None,
        metadata={
            "doc": "Stops hopeless candidates before their last epoch (`null`: every candidate trains all "
            "its epochs); the settings are in `training.early_stopping` below."
        },
    )
    max_consecutive_failures: int = field(
        default=5,
        metadata={
            "doc": "The search fails, with the last error, when this many of its candidates in a row have "
            "failed (0: never; at most 100,000), rather than spend its whole budget failing (KerasTuner's "
            "`max_consecutive_failed_trials`)."
        },
    )


def training_from_spec(spec: Any) -> TrainingSettings:
    if spec is None:
        return TrainingSettings()
    if not isinstance(spec, Mapping):
        raise SpecError("must be an object")
    errors = ErrorCollector()
    known = {f.name for f in fields(TrainingSettings)}
    for key in spec:
        if key not in known:
            errors.add(str(key)[:40], f"unknown setting; known: {', '.join(sorted(known))}")
    epochs = spec.get("epochs", TrainingSettings.epochs)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 1000:
        errors.add("epochs", "must be an integer between 1 and 1000")
    cap = spec.get("max_train_samples")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or not 10 <= cap <= 100_000_000):
        errors.add("max_train_samples", "must be empty (no cap) or an integer of at least 10")
    fraction = spec.get("validation_fraction", TrainingSettings.validation_fraction)
    if not is_number(fraction) or not 0 < fraction <= 0.9:
        errors.add("validation_fraction", "must be a number greater than 0 and at most 0.9")
    size = spec.get("image_size", TrainingSettings.image_size)
    if isinstance(size, bool) or not isinstance(size, int) or not 8 <= size <= 512:
        errors.add("image_size", "must be an integer between 8 and 512 (pixels)")
    delay = spec.get("synthetic_delay", TrainingSettings.synthetic_delay)
    if not is_number(delay) or not 0 <= delay <= 3600:
        errors.add("synthetic_delay", "must be a number of seconds between 0 and 3600")
    spread = spec.get("synthetic_delay_cv", TrainingSettings.synthetic_delay_cv)
    if not is_number(spread) or not 0 <= spread <= 10:
        errors.add("synthetic_delay_cv", "must be a coefficient of variation between 0 and 10")
    crash = spec.get("synthetic_crash", TrainingSettings.synthetic_crash)
    if not is_number(crash) or not 0 <= crash <= 1:
        errors.add("synthetic_crash", "must be a share of the genomes between 0 and 1")
    in_a_row = spec.get("max_consecutive_failures", TrainingSettings.max_consecutive_failures)
    if isinstance(in_a_row, bool) or not isinstance(in_a_row, int) or not 0 <= in_a_row <= 100_000:
        errors.add("max_consecutive_failures", "must be a whole number of candidates, 0 (never) or more")
    stopping = None
    if isinstance(epochs, int) and not isinstance(epochs, bool):
        try:
            stopping = StoppingRule.from_spec(spec.get("early_stopping"), epochs=epochs)
        except SpecError as error:
            errors.merge(error, prefix="early_stopping")
    errors.raise_if_any()
    return TrainingSettings(
        epochs=epochs,
        max_train_samples=cap,
        validation_fraction=float(fraction),
        image_size=size,
        synthetic_delay=float(delay),
        synthetic_delay_cv=float(spread),
        synthetic_crash=float(crash),
        early_stopping=stopping.to_spec() if stopping else None,
        max_consecutive_failures=in_a_row,
    )


@dataclass(frozen=True)
class FinalSettings:
    """The final training of a finished search ("Train the best on all data"; the spec's ``final``).

    The best genomes (and the tutorial's own network, for comparison) are trained on every search
    image, then evaluated once on the test split. The search's ranking came from short, noisy
    trainings; the test split must never choose: a validation share held out of every final
    training alike picks the model behind ``best.keras``. Each field's ``metadata["doc"]`` is its
    line in the generated spec reference.
    """

    top_k: int = field(default=3, metadata={"doc": "How many distinct best genomes are trained (1 to 20)."})
    epochs: int | None = field(
        default=None,
        metadata={
            "doc": "Epochs of each final training, 1 to 1,000 (`null`: the search's own `training.epochs`, less "
            "its epochs on a share of the images where successive halving's resource is `images` or `both`)."
        },
    )
    include_baseline: bool = field(
        default=True,
        metadata={"doc": "Train the tutorial's own network the same way too, for comparison (keras searches)."},
    )
    max_train_samples: int | None = field(
        default=None,
        metadata={"doc": "A cap on the final training's images (`null`: every search image; at least 10)."},
    )
    validation_fraction: float = field(
        default=0.1,
        metadata={
            "doc": "The share of those images held out of every final training alike (the same images, by "
            "the search's seed); the best final model by it is the one behind `best.keras` (0: none "
            "held out, and `best.keras` is the search's crowned candidate's; at most 0.5)."
        },
    )


MAX_FINAL_TOP_K = 20


def final_from_spec(spec: Any) -> FinalSettings:
    if spec is None:
        return FinalSettings()
    if not isinstance(spec, Mapping):
        raise SpecError("must be an object")
    errors = ErrorCollector()
    known = {f.name for f in fields(FinalSettings)}
    for key in spec:
        if key not in known:
            errors.add(str(key)[:40], f"unknown setting; known: {', '.join(sorted(known))}")
    top_k = spec.get("top_k", FinalSettings.top_k)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_FINAL_TOP_K:
        errors.add("top_k", f"must be an integer between 1 and {MAX_FINAL_TOP_K}")
    epochs = spec.get("epochs")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 1000):
        errors.add("epochs", "must be empty (the search's epochs) or an integer between 1 and 1000")
    baseline = spec.get("include_baseline", FinalSettings.include_baseline)
    if not isinstance(baseline, bool):
        errors.add("include_baseline", "must be true or false")
    cap = spec.get("max_train_samples")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or not 10 <= cap <= 100_000_000):
        errors.add("max_train_samples", "must be empty (every image) or an integer of at least 10")
    fraction = spec.get("validation_fraction", FinalSettings.validation_fraction)
    if not is_number(fraction) or not 0 <= fraction <= 0.5:
        errors.add("validation_fraction", "must be a share between 0 (none held out) and 0.5")
    errors.raise_if_any()
    return FinalSettings(
        top_k=top_k,
        epochs=epochs,
        include_baseline=baseline,
        max_train_samples=cap,
        validation_fraction=float(fraction),
    )
