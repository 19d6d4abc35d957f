from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from configs_app.models import TradingConfig


@admin.register(TradingConfig)
class TradingConfigAdmin(admin.ModelAdmin):
    """Read-only until the validated, audited config forms land: a raw JSON
    edit here would skip the schema and the audit trail."""

    list_display = ("scope", "symbol", "side", "version", "updated_by", "updated_at")
    list_filter = ("scope", "side")
    search_fields = ("symbol",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TradingConfig | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TradingConfig | None = None) -> bool:
        return False
