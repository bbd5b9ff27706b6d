"""What each machine's workers say they have: the objectives the form offers and a spec may name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from searches.clock import db_now
from searches.models import ObjectiveOffer, UnableHost


def objectives_offer(*, host: str, offers: Sequence[Mapping[str, Any]], replace: bool = True) -> None:
    """``host``'s objectives are these now (a worker starting says so): its earlier offers that are
    not among them are gone, as when an objective is uninstalled from the machine, and the
    searches it could not train are its to try again (it may have been given their dataset or
    objective since: ``unable_hosts``).

    ``replace=False`` (a ``--inline`` command, which may run with other settings than the
    machine's workers): these are added, and nothing the workers said is taken away.
    """
    now = db_now()
    with transaction.atomic():
        if replace:
            ObjectiveOffer.objects.filter(host=host).exclude(name__in=[o["name"] for o in offers]).delete()
            UnableHost.objects.filter(host=host).delete()
        for offer in offers:
            traits = offer.get("traits")
            ObjectiveOffer.objects.update_or_create(
                host=host,
                name=offer["name"],
                defaults={
                    "description": offer.get("description") or "",
                    "kind": offer.get("kind") or "",
                    "traits": list(traits) if traits is not None else None,
                    "metric": offer.get("metric") or "val_accuracy",
                    "direction": offer.get("direction") or "maximize",
                    "trains_final": bool(offer.get("trains_final")),
                    "seen_at": now,
                },
            )
