from __future__ import annotations

from django.contrib import admin

from searches.models import Entity, Generation, Search, UnableHost


@admin.register(Search)
class SearchAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "status", "objective", "dataset", "current_generation", "created_at")
    list_filter = ("status", "objective", "execution")
    search_fields = ("name",)


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "search",
        "number",
        "best_fitness",
        "mean_fitness",
        "done_count",
        "failed_count",
        "cached_count",
        "stopped_count",
    )
    list_select_related = ("search",)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("id", "search", "generation", "index", "origin", "status", "fitness", "worker")
    list_filter = ("status", "origin")
    list_select_related = ("search", "generation")
    raw_id_fields = ("search", "generation", "parent_a", "parent_b", "cached_from")


@admin.register(UnableHost)
class UnableHostAdmin(admin.ModelAdmin):
    """A host noted here takes none of the search's candidates; deleting the row lets it try again
    (once its dataset is there)."""

    list_display = ("search", "host", "worker", "reason", "found_at")
    list_select_related = ("search",)
