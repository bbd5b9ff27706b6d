from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gaweb.tokens.models import ApiToken


class Command(BaseCommand):
    help = "Make an API token for an account and print it (once: only its digest is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="made with createtoken", help="what it is for")
        parser.add_argument("--scope", choices=[c for c, _ in ApiToken.Scope.choices], default="read")
        parser.add_argument("--days", type=int, default=None, help="it expires after this many days (default: never)")

    def handle(self, *args, username: str, name: str, scope: str, days: int | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"there is no account {username!r}")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more")
        expires = timezone.now() + timedelta(days=days) if days else None
        _, token = ApiToken.issue(user=user, name=name, scope=scope, expires_at=expires)
        self.stdout.write(token)
