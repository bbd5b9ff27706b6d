"""Early stopping: whether a candidate whose training is under way should go on, ASHA-style.

Two rules, each given the candidate's validation accuracy after an epoch and the values
that the search's earlier candidates had after that same epoch (asynchronous: decided with
what is known now, never waiting for others):

* ``median``: from ``min_epochs`` on, stop a candidate below the median of the others, once
  ``warmup`` others have reached that epoch (Optuna's ``n_startup_trials``: with one or two to
  compare to, "below the median" is mostly noise);
* ``successive_halving``: rungs at ``min_epochs * reduction**k`` epochs; at a rung, a
  candidate goes on only if it is among the best ``ceil(n / reduction)`` of the ``n``
  candidates that have reached that rung, itself included (so the first to get there,
  with nobody to compare to, goes on).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ._errors import ErrorCollector, SpecError

RULES = ("median", "successive_halving")


@dataclass(frozen=True)
class StoppingRule:
    """A spec's ``training.early_stopping``; each field's ``metadata["doc"]`` is its line in the
    generated spec reference (``searches.spec.reference``)."""

    rule: str = field(
        metadata={
            "doc": "`median`: from `min_epochs` on, a candidate below the median of the others at the "
            "same epoch stops; `successive_halving`: at each rung only the best 1/`reduction` of the "
            "candidates that reached it go on.",
            "one_of": RULES,
        }
    )
    min_epochs: int = field(
        default=1,
        metadata={
            "doc": "The first epoch a candidate may be stopped after (`successive_halving`: the first "
            "rung), from 1 to `training.epochs` - 1."
        },
    )
    reduction: int = field(
        default=3,
        metadata={
            "doc": "`successive_halving` only: rungs at `min_epochs * reduction**k` epochs, and the best "
            "1/`reduction` of a rung go on (2 to 100)."
        },
    )
    warmup: int = field(
        default=5,
        metadata={
            "doc": "`median` only: how many others must have reached an epoch before a candidate is "
            "compared with their median (0 to 1,000)."
        },
    )

    @classmethod
    def from_spec(cls, spec: Any, *, epochs: int) -> StoppingRule | None:
        """From ``training.early_stopping`` (None: no early stopping); ``SpecError`` on bad settings."""
        if spec is None:
            return None
        if not isinstance(spec, Mapping):
            raise SpecError('must be an object such as {"rule": "median", "min_epochs": 1}, or null')
        errors = ErrorCollector()
        known = sorted(f.name for f in fields(cls))
        for key in spec:
            if key not in known:
                errors.add(str(key)[:40], f"unknown setting; known: {', '.join(known)}")
        rule = spec.get("rule")
        if rule not in RULES:
            errors.add("rule", f"choose one of: {', '.join(RULES)} (got {str(rule)[:40]!r})")
        min_epochs = spec.get("min_epochs", cls.min_epochs)
        if isinstance(min_epochs, bool) or not isinstance(min_epochs, int) or not 1 <= min_epochs < epochs:
            errors.add("min_epochs", f"must be a whole number of epochs from 1 to {epochs - 1} (training.epochs - 1)")
        reduction = spec.get("reduction", cls.reduction)
        if isinstance(reduction, bool) or not isinstance(reduction, int) or not 2 <= reduction <= 100:
            errors.add("reduction", "must be a whole number from 2 to 100")
        elif rule == "median" and "reduction" in spec:
            errors.add("reduction", "is a setting of successive_halving only")
        warmup = spec.get("warmup", cls.warmup)
        if isinstance(warmup, bool) or not isinstance(warmup, int) or not 0 <= warmup <= 1000:
            errors.add("warmup", "must be a whole number of candidates from 0 to 1000")
        elif rule == "successive_halving" and "warmup" in spec:
            errors.add("warmup", "is a setting of median only")
        errors.raise_if_any()
        return cls(rule=rule, min_epochs=min_epochs, reduction=reduction, warmup=warmup)

    def to_spec(self) -> dict[str, Any]:
        spec = asdict(self)
        del spec["reduction" if self.rule == "median" else "warmup"]
        return spec

    def is_rung(self, epoch: int) -> bool:
        """Whether the rule decides after this epoch."""
        if epoch < self.min_epochs:
            return False
        if self.rule == "median":
            return True
        ratio = epoch / self.min_epochs
        power = round(math.log(ratio, self.reduction)) if ratio >= 1 else -1
        return power >= 0 and self.min_epochs * self.reduction**power == epoch

    def rungs(self, epochs: int, *, most: int = 4) -> list[int]:
        """The epochs below ``epochs`` (the last) that a model or a chart treats as rungs, at most
        ``most``: successive halving's own; for the median rule, which decides after every epoch
        from ``min_epochs``, ``min_epochs`` times the powers of 3, so that a long training
        gives a few readable rungs, not one per epoch."""
        step = self.reduction if self.rule == "successive_halving" else 3
        found, epoch = [], self.min_epochs
        while epoch < epochs and len(found) < most:
            found.append(epoch)
            epoch *= step
        return found

    def goes_on(self, *, epoch: int, value: float, others: Sequence[float]) -> bool:
        """Whether a candidate with ``value`` after ``epoch`` trains on, given the others' values then."""
        return self.decides(
            epoch=epoch, value=value, others=len(others), better=sum(other > value for other in others),
            median=statistics.median(others) if others else None,
        )  # fmt: skip

    def decides(self, *, epoch: int, value: float, others: int, better: int, median: float | None) -> bool:
        """``goes_on`` from what a database counts without reading every value: how many others
        reached this epoch, how many of them did ``better``, and their ``median`` (the median rule's)."""
        if not self.is_rung(epoch) or not others:
            return True
        if self.rule == "median":
            return others < self.warmup or median is None or value >= median
        return better < math.ceil((others + 1) / self.reduction)

    def needs_median(self) -> bool:
        return self.rule == "median"
