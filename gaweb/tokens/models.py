"""A personal API token, kept as a digest: the token itself is shown once, when it is made.

A token is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 digest is enough to
keep it: there is nothing to guess that a slow hash would protect, as there is for a password
(the same reasoning as GitHub's tokens and django-rest-knox's). Its first characters stay in
clear (``prefix``), so that a user can tell their tokens apart on the page.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# What a token starts with: a scanner for leaked secrets can tell gaweb's apart.
TOKEN_PREFIX = "gaweb_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "read"
        WRITE = "write", "read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_SHOWN)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}..., {self.user})"

    @classmethod
    def issue(cls, *, user, name: str, scope: str = Scope.READ, expires_at=None) -> tuple[ApiToken, str]:
        """A new token for ``user``: the row, and the token itself, which is nowhere else."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, prefix=token[:PREFIX_SHOWN], digest=digest(token), scope=scope, expires_at=expires_at
        )
        return row, token

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.WRITE
