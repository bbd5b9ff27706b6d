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

Successive halving's resource (``resource``), the budget that grows from rung to rung:

* ``epochs``: every epoch trains on all the search's training images; rungs as above;
* ``images``: the first ``image_rungs`` epochs train on a growing share of the training images,
  1/``reduction``**``image_rungs`` of them first and ``reduction`` times more at each epoch after
  (the same images for every candidate of a search), each such epoch a rung; then every epoch
  trains on all of them. A promoted candidate goes on from its weights: nothing is trained twice,
  and a candidate stopped at the first rung cost a ninth of an epoch (``reduction`` 3, 2 image rungs);
* ``both``: the ``images`` rungs, then successive halving's epoch rungs counted from the first
  epoch on all the images.

How successive halving promotes (``promotion``):

* ``asynchronous`` (ASHA): each candidate is judged as it reaches a rung, against those that
  reached it before; no worker ever waits;
* ``bracket`` (generational mode): a generation is one bracket of successive halving. Every
  candidate pauses at each rung, its weights stored; once the whole generation has reached the
  rung, exactly the best ``ceil(n / reduction)`` of the ``n`` there go on from their weights (on
  whichever machine takes them), and the others end as stopped.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ._errors import ErrorCollector, SpecError

RULES = ("median", "successive_halving")
RESOURCES = ("epochs", "images", "both")
# The first share of the images is at least 1/SMALLEST_SHARE of them.
SMALLEST_SHARE = 1000
PROMOTIONS = ("asynchronous", "bracket")


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
            "rung), from 1 to `training.epochs` - 1. With the resource `both`, counted from the first epoch "
            "on all the images (at most `training.epochs` - `image_rungs` - 1); not a setting of `images`."
        },
    )
    reduction: int = field(
        default=3,
        metadata={
            "doc": "`successive_halving` only: rungs at `min_epochs * reduction**k` epochs, and the best "
            "1/`reduction` of a rung go on (2 to 100); with the resources `images` and `both`, each image rung "
            "trains on `reduction` times the images of the one before."
        },
    )
    warmup: int = field(
        default=5,
        metadata={
            "doc": "`median` only: how many others must have reached an epoch before a candidate is "
            "compared with their median (0 to 1,000)."
        },
    )
    resource: str = field(
        default="epochs",
        metadata={
            "doc": "`successive_halving` only: what grows from rung to rung. `epochs`: every epoch on all the "
            "training images; `images`: the first `image_rungs` epochs on a growing share of the images "
            "(1/`reduction`^`image_rungs` of them first, `reduction` times more each epoch), each a rung, then all "
            "of them; `both`: those rungs, then the epoch rungs counted from the first epoch on all the images.",
            "one_of": RESOURCES,
        },
    )
    promotion: str = field(
        default="asynchronous",
        metadata={
            "doc": "`successive_halving` only: `asynchronous` (ASHA): a candidate is judged as it reaches a "
            "rung, against those before it; `bracket` (generational mode, `ga.duplicates` rebreed, the `keras` "
            "and `synthetic` objectives): each generation is a bracket: every candidate pauses at a rung with "
            "its weights stored, and once all have reached it, exactly the best 1/`reduction` go on from them.",
            "one_of": PROMOTIONS,
        },
    )
    image_rungs: int = field(
        default=2,
        metadata={
            "doc": "`images` and `both` only: how many epochs train on a share of the images (1 to 4, "
            "below `training.epochs`: the last epochs train on all of them)."
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
        if not reduction_ok(reduction):
            errors.add("reduction", "must be a whole number from 2 to 100")
        elif rule == "median" and "reduction" in spec:
            errors.add("reduction", "is a setting of successive_halving only")
        warmup = spec.get("warmup", cls.warmup)
        if isinstance(warmup, bool) or not isinstance(warmup, int) or not 0 <= warmup <= 1000:
            errors.add("warmup", "must be a whole number of candidates from 0 to 1000")
        elif rule == "successive_halving" and "warmup" in spec:
            errors.add("warmup", "is a setting of median only")
        resource, image_rungs = spec.get("resource", cls.resource), spec.get("image_rungs", cls.image_rungs)
        if resource not in RESOURCES:
            errors.add("resource", f"choose one of: {', '.join(RESOURCES)} (got {str(resource)[:40]!r})")
        elif resource != "epochs" and rule == "median":
            errors.add("resource", "images and both are resources of successive_halving only")
        elif resource == "epochs" and "image_rungs" in spec:
            errors.add("image_rungs", 'is a setting of the resources "images" and "both" only')
        elif resource != "epochs":
            if isinstance(image_rungs, bool) or not isinstance(image_rungs, int) or not 1 <= image_rungs <= 4:
                errors.add("image_rungs", "must be a whole number of epochs from 1 to 4")
            elif reduction_ok(reduction) and reduction**image_rungs > SMALLEST_SHARE:
                errors.add(
                    "image_rungs",
                    f"the first share, 1/{reduction**image_rungs} of the images, is below a thousandth: "
                    "choose fewer image rungs or a smaller reduction",
                )
            elif image_rungs >= epochs:
                errors.add(
                    "image_rungs", f"must be below training.epochs ({epochs}): the last epoch trains on every image"
                )
            elif resource == "images" and "min_epochs" in spec:
                errors.add("min_epochs", 'is not a setting of the resource "images": its rungs are its image_rungs')
            elif resource == "both" and isinstance(min_epochs, int) and image_rungs + min_epochs >= epochs:
                room = epochs - image_rungs - 1  # the epoch rungs count from the first epoch on every image
                errors.add(
                    "min_epochs",
                    f"with {image_rungs} image rungs and {epochs} epochs, can be at most {room}"
                    if room >= 1
                    else f"leaves no epoch rung: resource both needs training.epochs of at least {image_rungs + 2} "
                    f"with {image_rungs} image rungs (or choose the resource images)",
                )
        promotion = spec.get("promotion", cls.promotion)
        if promotion not in PROMOTIONS:
            errors.add("promotion", f"choose one of: {', '.join(PROMOTIONS)} (got {str(promotion)[:40]!r})")
        elif promotion != "asynchronous" and rule == "median":
            errors.add("promotion", "is a setting of successive_halving only")
        errors.raise_if_any()
        return cls(
            rule=rule, min_epochs=min_epochs, reduction=reduction, warmup=warmup, resource=resource,
            image_rungs=image_rungs if resource != "epochs" else cls.image_rungs, promotion=promotion,
        )  # fmt: skip

    def to_spec(self) -> dict[str, Any]:
        spec = asdict(self)
        del spec["reduction" if self.rule == "median" else "warmup"]
        if self.resource == "epochs":  # the form every spec stored before there were other resources
            del spec["resource"], spec["image_rungs"]
        elif self.resource == "images":
            del spec["min_epochs"]
        if self.promotion == "asynchronous":  # and before there were brackets
            del spec["promotion"]
        return spec

    def share(self, epoch: int) -> float:
        """The share of the search's training images that ``epoch`` (from 1) trains on."""
        if self.resource == "epochs" or epoch > self.image_rungs:
            return 1.0
        return float(self.reduction) ** -(self.image_rungs - epoch + 1)

    def passes(self, epochs: int) -> float:
        """What training ``epochs`` epochs costs, in passes over the search's training images."""
        return sum(self.share(epoch) for epoch in range(1, epochs + 1))

    def paid(self, rungs: Sequence[int], reached: Sequence[int]) -> float:
        """The passes over the images paid by candidates of which ``reached[k]`` reached the rung at epoch
        ``rungs[k]`` (the last: trained to the end), each stopped at a rung: each paid from the rung below."""
        steps = zip(reached, rungs, [0, *rungs[:-1]], strict=True)
        return sum(count * (self.passes(at) - self.passes(below)) for count, at, below in steps)

    def images_grow(self) -> bool:
        """Whether some epochs train on a share of the images (the trainer's concern)."""
        return self.resource != "epochs"

    def is_rung(self, epoch: int) -> bool:
        """Whether the rule decides after this epoch."""
        if self.resource != "epochs":
            if epoch <= self.image_rungs:
                return epoch >= 1
            if self.resource == "images":
                return False
            epoch -= self.image_rungs  # both: the epoch rungs count from the first epoch on every image
        if epoch < self.min_epochs:
            return False
        if self.rule == "median":
            return True
        ratio = epoch / self.min_epochs
        power = round(math.log(ratio, self.reduction)) if ratio >= 1 else -1
        return power >= 0 and self.min_epochs * self.reduction**power == epoch

    def rungs(self, epochs: int, *, most: int = 4) -> list[int]:
        """The epochs below ``epochs`` (the last) that a model or a chart treats as rungs, the highest
        ``most`` of them: successive halving's own (the image rungs first, for the resources that have them);
        for the median rule, which decides after every epoch from ``min_epochs``, ``min_epochs``
        times the powers of 3, so that a long training gives a few readable rungs, not one per epoch."""
        found = [epoch for epoch in range(1, self.image_rungs + 1) if epoch < epochs] if self.images_grow() else []
        if self.resource != "images":
            offset, epoch = len(found), self.min_epochs
            step = self.reduction if self.rule == "successive_halving" else 3
            while offset + epoch < epochs:
                found.append(offset + epoch)
                epoch *= step
        return found[-most:]  # the highest: a model learns from the largest budget with enough results

    def goes_on(self, *, epoch: int, value: float, others: Sequence[float]) -> bool:
        """Whether a candidate with ``value`` after ``epoch`` trains on, given the others' values then."""
        return self.decides(
            epoch=epoch, value=value, others=len(others), better=sum(other > value for other in others),
            median=statistics.median(others) if others else None,
        )  # fmt: skip

    def pauses(self, epoch: int, epochs: int) -> bool:
        """Whether a candidate pauses after ``epoch`` (of ``epochs``) for its bracket's promotion."""
        return self.promotion == "bracket" and epoch < epochs and self.is_rung(epoch)

    def promoted(self, reached: int) -> int:
        """How many of the ``reached`` candidates at a bracket's rung go on: the best ``ceil(n / reduction)``."""
        return math.ceil(reached / self.reduction)

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


def reduction_ok(reduction: Any) -> bool:
    return not isinstance(reduction, bool) and isinstance(reduction, int) and 2 <= reduction <= 100
