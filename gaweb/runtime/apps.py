from __future__ import annotations

from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "gaweb.runtime"
    label = "runtime"
    verbose_name = "Runtime (processes and commands)"
