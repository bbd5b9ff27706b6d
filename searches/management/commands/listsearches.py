from __future__ import annotations

from django.core.management.base import BaseCommand

from searches.models import Search


class Command(BaseCommand):
    help = "List the searches, newest first."

    def handle(self, *args, **options):
        searches = Search.objects.all()
        if not searches:
            self.stdout.write(
                "No searches yet: `python manage.py runsearch examples/synthetic.json --inline` runs one."
            )
            return
        self.stdout.write(f"{'id':>5}  {'status':<10} {'generation':>10}  {'objective':<10} {'dataset':<12} name")
        for search in searches:
            generation = f"{search.current_generation + 1}/{search.generations}"
            self.stdout.write(
                f"{search.pk:>5}  {search.status:<10} {generation:>10}  "
                f"{search.objective:<10} {search.dataset[:12]:<12} {search.name}"
            )
