from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from searches.exports.documents import search_export
from searches.models import Search


class Command(BaseCommand):
    help = "Print a whole search as JSON: its spec, its generations and every entity."

    def add_arguments(self, parser):
        parser.add_argument("search_id", type=int)
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0 for one line)")

    def handle(self, *args, search_id: int, indent: int, **options):
        try:
            search = Search.objects.select_related("owner").get(pk=search_id)
        except Search.DoesNotExist:
            raise CommandError(f"no search #{search_id}; `python manage.py listsearches` shows them") from None
        self.stdout.write(json.dumps(search_export(search), indent=indent or None))
