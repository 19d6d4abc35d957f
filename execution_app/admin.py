from __future__ import annotations

from django.contrib import admin

from execution_app.models import Fill, Order, PaperOrder
from petrosa.core.admin import ReadOnlyModelAdmin


class FillInline(admin.TabularInline):
    model = Fill
    extra = 0
    can_delete = False
    fields = ("trade_id", "price", "quantity", "commission", "commission_asset", "realized_pnl", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "client_order_id", "symbol", "side", "order_type", "quantity", "executed_quantity",
                    "average_price", "status", "status_reason", "created_at")  # fmt: skip
    list_filter = ("status", "side", "order_type", "exchange")
    search_fields = ("client_order_id", "exchange_order_id", "symbol")
    inlines = [FillInline]


@admin.register(Fill)
class FillAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "order", "price", "quantity", "commission", "commission_asset", "realized_pnl", "created_at")
    list_select_related = ("order",)
    search_fields = ("order__client_order_id", "trade_id")
    date_hierarchy = "created_at"


@admin.register(PaperOrder)
class PaperOrderAdmin(ReadOnlyModelAdmin):
    list_display = ("exchange_order_id", "client_order_id", "symbol", "side", "quantity", "status", "created_at")
    list_filter = ("status", "side")
    search_fields = ("client_order_id", "symbol")
