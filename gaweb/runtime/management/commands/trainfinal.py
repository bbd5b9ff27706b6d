from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gaweb.runtime.progress import manage_py
from searches import services
from searches.models import Entity, FinalModel, Search
from searches.reads.objectives import gives_keras_models
from workers.inline import run_final_inline
from workers.process_setup import announce_objectives


class Command(BaseCommand):
    help = (
        "Train a completed search's best on every training image and measure them once on the test split "
        "(the dashboard's 'Train the best on all data')."
    )

    def add_arguments(self, parser):
        parser.add_argument("search", type=int, help="the search's id")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--inline", action="store_true", help="train them in this process (no Redis, no workers)")
        mode.add_argument("--wait", action="store_true", help="queue them for the workers and wait until they end")

    def handle(self, *args, search: int, inline: bool, wait: bool, **options):
        if not Search.objects.filter(pk=search).exists():
            raise CommandError(f"there is no search #{search}")
        try:
            if inline:
                call_command("migrate", interactive=False, verbosity=0)
                announce_objectives(replace=False)  # this process trains them: it says what it has
                entities = run_final_inline(search)
            else:
                ids = services.search_train_final(search_id=search)
                self.stdout.write(f"final training of {len(ids)} candidates queued for the workers")
                if not wait:
                    return
                while Entity.objects.filter(pk__in=ids, status__in=Entity.PENDING).exists():
                    time.sleep(2)
                entities = list(Entity.objects.filter(pk__in=ids).order_by("index"))
        except services.InvalidTransition as error:
            raise CommandError(str(error)) from None
        for entity in entities:
            what = "the tutorial network" if entity.replicate_of_id is None else f"entity #{entity.replicate_of_id}"
            if entity.status == Entity.Status.DONE:
                loss = "" if entity.test_loss is None else f" (loss {entity.test_loss:.4f})"
                kept = f"; {entity.error}" if entity.error else ""
                self.stdout.write(f"{what}: test accuracy {entity.test_accuracy:.4f}{loss}{kept}")
            else:
                self.stdout.write(f"{what}: {entity.status}: {entity.error}")
        done = [entity for entity in entities if entity.status == Entity.Status.DONE]
        if not done:
            raise CommandError("no final training succeeded (the reasons are above)")
        if FinalModel.objects.filter(entity__in=done).exists():
            name = "best.keras" if gives_keras_models(Search.objects.get(pk=search).objective) else "best-model"
            self.stdout.write(f"the best's trained model: /searches/{search}/{name} in the web app")
        self.stdout.write(f"everything: {manage_py()} exportsearch {search}")
