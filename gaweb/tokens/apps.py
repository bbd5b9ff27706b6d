from __future__ import annotations

from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "gaweb.tokens"
    label = "tokens"
    verbose_name = "API tokens"
