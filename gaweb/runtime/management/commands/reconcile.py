"""``manage.py reconcile``: one pass of what every worker supervisor does periodically."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gaweb.runtime.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "One reconciliation pass: queue again the entities whose worker went silent, advance idle "
        "searches, send again the jobs lost with Redis, keep the dashboard boards of the searches that "
        "run or have just ended. runworkers and up do this every "
        "GAWEB_RECONCILE_SECONDS; run it from a timer where no supervisor runs (deploy/systemd)."
    )

    def handle(self, *args, **options):
        done = reconcile()
        self.stdout.write(
            f"requeued or failed {done['requeued_or_failed']} silent entities, sent again {done['resent']} lost jobs, "
            f"kept {done['boards_kept']} dashboard boards"
        )
