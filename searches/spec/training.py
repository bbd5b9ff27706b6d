"""How candidates are trained (``training``), and how a finished search's best are trained at last (``final``).

Both are sections of the JSON spec (see ``searches.spec.search``), parsed here with messages
keyed by the field they concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from searches.genetics import ErrorCollector, SpecError, StoppingRule, is_number


@dataclass(frozen=True)
class TrainingSettings:
    """How each candidate is trained.

    ``max_train_samples`` caps the training images (None: all of them);
    ``validation_fraction`` of the data is held out, chosen by the search's seed;
    ``image_size`` is the side, in pixels, that images of a ``folder:`` dataset are resized to;
    ``synthetic_delay`` makes the synthetic objective take that many seconds;
    ``synthetic_delay_cv`` spreads the delays (their coefficient of variation, fixed per genome);
    ``synthetic_crash`` makes it kill its worker on that share of the genomes (a fault test);
    ``early_stopping`` stops hopeless candidates before their last epoch (see ``StoppingRule``);
    ``max_consecutive_failures``: the search fails, with the last error, when this many of its
    candidates in a row have failed (0: never), rather than spend its whole budget failing
    (KerasTuner's ``max_consecutive_failed_trials``).
    """

    epochs: int = 1
    max_train_samples: int | None = None
    validation_fraction: float = 0.2
    image_size: int = 32
    synthetic_delay: float = 0.0
    synthetic_delay_cv: float = 0.0
    synthetic_crash: float = 0.0
    early_stopping: dict[str, Any] | None = None
    max_consecutive_failures: int = 5


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
    epochs = spec.get("epochs", 1)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 1000:
        errors.add("epochs", "must be an integer between 1 and 1000")
    cap = spec.get("max_train_samples")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or not 10 <= cap <= 100_000_000):
        errors.add("max_train_samples", "must be empty (no cap) or an integer of at least 10")
    fraction = spec.get("validation_fraction", 0.2)
    if not is_number(fraction) or not 0 < fraction <= 0.9:
        errors.add("validation_fraction", "must be a number greater than 0 and at most 0.9")
    size = spec.get("image_size", 32)
    if isinstance(size, bool) or not isinstance(size, int) or not 8 <= size <= 512:
        errors.add("image_size", "must be an integer between 8 and 512 (pixels)")
    delay = spec.get("synthetic_delay", 0.0)
    if not is_number(delay) or not 0 <= delay <= 3600:
        errors.add("synthetic_delay", "must be a number of seconds between 0 and 3600")
    spread = spec.get("synthetic_delay_cv", 0.0)
    if not is_number(spread) or not 0 <= spread <= 10:
        errors.add("synthetic_delay_cv", "must be a coefficient of variation between 0 and 10")
    crash = spec.get("synthetic_crash", 0.0)
    if not is_number(crash) or not 0 <= crash <= 1:
        errors.add("synthetic_crash", "must be a share of the genomes between 0 and 1")
    in_a_row = spec.get("max_consecutive_failures", 5)
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
    """The final training of a finished search ("Train the best on all data").

    ``top_k`` distinct best genomes (and, with ``include_baseline``, the tutorial's own
    network, trained the same way, for comparison) are trained on every search image
    (``max_train_samples`` caps them) for ``epochs`` (None: the search's own), then
    evaluated once on the test split. ``validation_fraction`` of those images is held out of
    every final training alike (the same images, by the search's seed) and measures each final
    model: the best by it is the model behind ``best.keras``. The search's ranking came from
    short, noisy trainings; the test split must never choose (0: no share held out, and
    ``best.keras`` is the search's crowned candidate's).
    """

    top_k: int = 3
    epochs: int | None = None
    include_baseline: bool = True
    max_train_samples: int | None = None
    validation_fraction: float = 0.1


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
    top_k = spec.get("top_k", 3)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_FINAL_TOP_K:
        errors.add("top_k", f"must be an integer between 1 and {MAX_FINAL_TOP_K}")
    epochs = spec.get("epochs")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 1000):
        errors.add("epochs", "must be empty (the search's epochs) or an integer between 1 and 1000")
    baseline = spec.get("include_baseline", True)
    if not isinstance(baseline, bool):
        errors.add("include_baseline", "must be true or false")
    cap = spec.get("max_train_samples")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or not 10 <= cap <= 100_000_000):
        errors.add("max_train_samples", "must be empty (every image) or an integer of at least 10")
    fraction = spec.get("validation_fraction", 0.1)
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
