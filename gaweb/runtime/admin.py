from __future__ import annotations

from django.contrib import admin

from .models import HostSupervisor


@admin.register(HostSupervisor)
class HostSupervisorAdmin(admin.ModelAdmin):
    """Each machine's supervisor as it last reported (written by the supervisors only: read here)."""

    list_display = ("host", "workers", "workers_planned", "restarts", "passes", "errors", "seen_at")
    readonly_fields = [field.name for field in HostSupervisor._meta.fields]

    def has_add_permission(self, request):
        return False

    # Deleting is allowed: a machine taken out of service for good leaves /metrics with it.
