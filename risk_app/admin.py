from __future__ import annotations

from django.contrib import admin

from petrosa.core.admin import ReadOnlyModelAdmin
from risk_app.models import Position, RiskDecision, RiskState


@admin.register(RiskDecision)
class RiskDecisionAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "signal", "approved", "reason_code", "side", "quantity", "price", "notional", "created_at")
    list_filter = ("approved", "reason_code", "reduce_only")
    search_fields = ("signal__symbol", "reason_code")
    list_select_related = ("signal", "signal__strategy")


@admin.register(Position)
class PositionAdmin(ReadOnlyModelAdmin):
    list_display = (
        "symbol", "side", "quantity", "avg_entry_price", "mark_price", "unrealized_pnl", "realized_pnl",
        "fees_paid", "updated_at",
    )  # fmt: skip
    list_filter = ("side",)
    search_fields = ("symbol",)


@admin.register(RiskState)
class RiskStateAdmin(ReadOnlyModelAdmin):
    list_display = ("mode", "reason", "changed_by", "changed_at")
