from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from petrosa.core.models import AuditEvent, MarketPrice


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records written only by services: visible in the admin, never hand-edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "created_at", "kind", "entity_type", "entity_id", "actor", "correlation_id")
    list_filter = ("kind", "entity_type")
    search_fields = ("entity_id", "actor", "correlation_id")
    date_hierarchy = "created_at"


@admin.register(MarketPrice)
class MarketPriceAdmin(ReadOnlyModelAdmin):
    list_display = ("symbol", "price", "source", "updated_at")
    search_fields = ("symbol",)
