"""Which objectives a spec may name: gaweb's own, and those some machine's workers have."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from searches.models import ObjectiveOffer
from searches.spec.search import BUILT_IN_DESCRIPTIONS, BUILT_IN_OBJECTIVES


@dataclass(frozen=True)
class KnownObjective:
    name: str
    description: str
    # The trait names it understands, where it declares them; None: any.
    traits: tuple[str, ...] | None
    hosts: tuple[str, ...]  # the machines that said they have it (empty for gaweb's own, until they do)
    metric: str = "val_accuracy"
    direction: str = "maximize"


def objectives_known() -> dict[str, KnownObjective]:
    """Name -> what is known of it: gaweb's own first, then the others by name (one query).

    Two machines may describe one name differently (two versions of a package): the traits
    are those every machine understands, so that any machine can train what a spec names.
    """
    known = {
        name: KnownObjective(name=name, description=BUILT_IN_DESCRIPTIONS[name], traits=None, hosts=())
        for name in BUILT_IN_OBJECTIVES
    }
    for offer in ObjectiveOffer.objects.order_by("name", "host"):
        earlier = known.get(offer.name)
        traits = tuple(offer.traits) if offer.traits is not None else None
        if earlier is None:
            known[offer.name] = KnownObjective(
                offer.name, offer.description, traits, (offer.host,), offer.metric, offer.direction
            )
            continue
        if earlier.traits is not None and traits is not None:
            traits = tuple(t for t in earlier.traits if t in traits)
        elif offer.name in BUILT_IN_OBJECTIVES or earlier.traits is not None:
            traits = earlier.traits
        known[offer.name] = KnownObjective(
            offer.name, earlier.description or offer.description, traits, (*earlier.hosts, offer.host),
            earlier.metric, earlier.direction,
        )  # fmt: skip
    return known


def objective_traits() -> dict[str, tuple[str, ...] | None]:
    """What ``parse_spec`` takes: name -> the traits it understands (None: any)."""
    return {name: known.traits for name, known in objectives_known().items()}


def trains_final(objective: str) -> bool:
    """Whether a search's best can be trained at last and saved ("Train the best on all data"): Keras
    networks that gaweb trains (its own, or a user's builder: a best.keras), or a user's function
    or command that declares ``trains_final`` (the file it saves)."""
    if objective == "keras":
        return True
    return ObjectiveOffer.objects.filter(name=objective).filter(Q(kind="keras") | Q(trains_final=True)).exists()


def gives_keras_models(objective: str) -> bool:
    """Whether the best model is a ``best.keras`` (gaweb's network or a user's builder)."""
    return objective == "keras" or ObjectiveOffer.objects.filter(name=objective, kind="keras").exists()
