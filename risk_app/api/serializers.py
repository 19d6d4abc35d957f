"""Shapes of the risk API: input with field errors, output documented in the OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from petrosa.core.api import ExactDecimalField
from risk_app.models import TradingMode


def _money(**kwargs: object) -> ExactDecimalField:
    return ExactDecimalField(max_digits=40, decimal_places=12, **kwargs)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why: kept in the audit trail.")


class KillSwitchInputSerializer(ReasonInputSerializer):
    mode = serializers.ChoiceField(
        choices=TradingMode.choices,
        help_text="active: entries and exits; reduce_only: exits only; halted: kill switch on, exits only.",
    )


class KillSwitchSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="The operator's setting: active, reduce_only or halted")
    reason = serializers.CharField()
    changed_by = serializers.CharField(help_text="user:<username>, cli, or system")
    changed_at = serializers.DateTimeField()


class BreakerSerializer(serializers.Serializer):
    tripped = serializers.BooleanField(help_text="True: new entries are refused with daily_loss_breaker")
    tripped_at = serializers.DateTimeField(allow_null=True)
    detail = serializers.DictField(child=serializers.CharField(), help_text="Daily P&L and the limit when it tripped")
    rearmed_by = serializers.CharField()
    rearmed_at = serializers.DateTimeField(allow_null=True)
    rearm_reason = serializers.CharField()


class TodaySerializer(serializers.Serializer):
    day = serializers.DateField(help_text="The UTC day")
    start_of_day_equity = _money()
    equity = _money()
    pnl = _money(help_text="Realized + unrealized P&L since 00:00 UTC")
    pnl_pct = _money(help_text="pnl as a percent of start_of_day_equity")
    realized_pnl = _money(help_text="Realized since 00:00 UTC, net of fees")
    loss_baseline_equity = _money(help_text="What the breaker measures the loss from: start of day, or last re-arm")
    loss_limit = _money(help_text="max_daily_loss_pct of start_of_day_equity")
    entries = serializers.IntegerField(help_text="Entries approved today (UTC), against max_daily_trades")
    orders_last_minute = serializers.IntegerField(help_text="Orders approved in the last 60 s")


class ExposurePositionSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    side = serializers.CharField()
    quantity = _money()
    mark_price = _money()
    notional = _money()


class ExposureSerializer(serializers.Serializer):
    open = _money(help_text="Open positions at their marks")
    reserved = _money(help_text="Approved entries not filled yet")
    total = _money()
    cap = _money(help_text="max_portfolio_exposure_pct of equity")
    pct_of_equity = _money(allow_null=True)
    open_positions = serializers.IntegerField()
    reserved_entries = serializers.IntegerField()
    positions = ExposurePositionSerializer(many=True)


class RiskStatusSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="What the gate applies: active, reduce_only (also while the breaker is "
                                           "tripped) or halted")
    entries_allowed = serializers.BooleanField()
    kill_switch = KillSwitchSerializer()
    breaker = BreakerSerializer()
    today = TodaySerializer()
    exposure = ExposureSerializer()
    limits = serializers.DictField(help_text="The global trading parameters the gate enforces")
