"""What the order, position, account and price endpoints take and return."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from execution_app.api.signal_trace import FillSerializer
from execution_app.models import Order, OrderRole, OrderStatus
from petrosa.core.api import ExactDecimalField, ExactModelSerializer
from signals_app.models import OrderType, TimeInForce
from signals_app.serializers import MONEY, SYMBOL_PATTERN

EXACT = {"max_digits": 30, "decimal_places": 12}


class OrderChildSerializer(ExactModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "client_order_id", "role", "side", "order_type", "quantity", "stop_price", "price", "status",
                  "status_reason", "executed_quantity", "average_price", "leg_attempt", "created_at"]  # fmt: skip
        read_only_fields = fields


class OrderOutputSerializer(ExactModelSerializer):
    signal_id = serializers.IntegerField(read_only=True)
    decision_id = serializers.IntegerField(read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    strategy = serializers.CharField(source="signal.strategy.name", read_only=True)
    fills = FillSerializer(many=True, read_only=True)
    children = OrderChildSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "client_order_id", "exchange", "exchange_order_id", "signal_id", "decision_id", "strategy",
            "symbol", "side", "position_side", "role", "parent_id", "oco_group", "order_type", "time_in_force",
            "quantity", "price", "stop_price", "reference_price", "reduce_only", "close_position",
            "conditional_price", "conditional_direction", "expires_at", "status", "status_reason",
            "executed_quantity", "average_price", "attempts", "leg_attempt", "params", "created_at",
            "submitted_at", "updated_at", "fills", "children",
        ]  # fmt: skip
        read_only_fields = fields


class OrderPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = OrderOutputSerializer(many=True)


class ManualOrderInputSerializer(serializers.Serializer):
    """A manual order. It becomes a signal from the ``manual`` strategy, so the
    signal contract's rules apply (limit types need ``price``, stop types a
    trigger, stop-loss on the right side of the entry, ...)."""

    symbol = serializers.CharField(max_length=20)
    side = serializers.ChoiceField(choices=["BUY", "SELL", "buy", "sell"], required=False,
                                   help_text="BUY or SELL; omit for action=close")  # fmt: skip
    action = serializers.ChoiceField(choices=["open", "close"], default="open",
                                     help_text="close: close the position reduce-only (both sides, or position_side)")
    order_type = serializers.ChoiceField(choices=OrderType.choices, required=False,
                                         help_text="Default: the config's default_order_type")  # fmt: skip
    quantity = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False,
                                        help_text="0 = the symbol's exchange minimum")  # fmt: skip
    quote_quantity = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False)
    price = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False, help_text="Limit price")
    stop_price = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False,
                                          help_text="Trigger of stop / take-profit types")  # fmt: skip
    time_in_force = serializers.ChoiceField(choices=TimeInForce.choices, required=False)
    stop_loss = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False)
    take_profit = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False)
    stop_loss_pct = serializers.DecimalField(max_digits=8, decimal_places=6, min_value=Decimal("0"),
                                             max_value=Decimal("1"), required=False, help_text="Fraction: 0.02 = 2 %")
    take_profit_pct = serializers.DecimalField(max_digits=8, decimal_places=6, min_value=Decimal("0"),
                                               max_value=Decimal("1"), required=False)
    conditional_price = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False)
    conditional_direction = serializers.ChoiceField(choices=["above", "below"], required=False)
    conditional_timeout = serializers.IntegerField(min_value=1, max_value=7 * 86400, required=False)
    position_side = serializers.ChoiceField(choices=["LONG", "SHORT"], required=False,
                                            help_text="For a close in hedge mode: only this side")  # fmt: skip
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                   help_text="Kept with the signal (rationale) and in the audit trail")  # fmt: skip

    def validate_symbol(self, value: str) -> str:
        symbol = value.strip().upper()
        if not SYMBOL_PATTERN.match(symbol):
            raise serializers.ValidationError("A symbol is 5-20 letters or digits, e.g. BTCUSDT.")
        return symbol

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "open" and not attrs.get("side"):
            raise serializers.ValidationError({"side": ["BUY or SELL is required to open."]})
        if attrs["action"] == "close" and attrs.get("side"):
            raise serializers.ValidationError({"side": ["A close takes no side; use position_side in hedge mode."]})
        return attrs


# Manual-order field → signal field, where they differ, so errors name what the client sent.
MANUAL_TO_SIGNAL = {"stop_price": "conditional_price", "reason": "rationale"}
SIGNAL_TO_MANUAL = {"conditional_price": "stop_price", "rationale": "reason", "action": "side"}


def manual_signal_payload(data: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """The signal payload a manual order stands for (validated again as a signal)."""
    payload: dict[str, Any] = {"symbol": data["symbol"], "confidence": "1"}
    payload["action"] = "close" if data["action"] == "close" else data["side"].lower()
    for name in ("order_type", "quantity", "quote_quantity", "price", "time_in_force", "stop_loss", "take_profit",
                 "stop_loss_pct", "take_profit_pct", "conditional_price", "conditional_direction",
                 "conditional_timeout"):  # fmt: skip
        if data.get(name) is not None:
            payload[name] = data[name]
    if data.get("stop_price") is not None:
        payload["conditional_price"] = data["stop_price"]
    if data.get("reason"):
        payload["rationale"] = data["reason"]
    payload["meta"] = {"manual": True, "requested_by": actor}
    if data.get("position_side"):
        payload["meta"]["position_side"] = data["position_side"]
    return payload


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="Kept in the audit")


class FlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    detail = serializers.CharField()
    entry = serializers.CharField(help_text="client order id of the entry concerned")
    created_at = serializers.DateTimeField()


class PositionOutputSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    side = serializers.CharField(help_text="LONG or SHORT")
    quantity = ExactDecimalField(**EXACT)
    avg_entry_price = ExactDecimalField(**EXACT)
    mark_price = ExactDecimalField(**EXACT, allow_null=True)
    notional = ExactDecimalField(**EXACT)
    unrealized_pnl = ExactDecimalField(**EXACT, help_text="From the mark price")
    realized_pnl = ExactDecimalField(**EXACT, help_text="Net of every fee")
    fees_paid = ExactDecimalField(**EXACT)
    opened_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    flags = FlagSerializer(many=True)
    protective_orders = OrderChildSerializer(many=True)


class StrategyShareSerializer(serializers.Serializer):
    strategy = serializers.CharField()
    symbol = serializers.CharField()
    net_quantity = ExactDecimalField(**EXACT, help_text="Buys minus sells")
    realized_pnl = ExactDecimalField(**EXACT, help_text="Net of fees")
    fees = ExactDecimalField(**EXACT)
    fills = serializers.IntegerField()
    volume = ExactDecimalField(**EXACT, help_text="Quote traded")


class SymbolPositionsSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    mark_price = ExactDecimalField(**EXACT, allow_null=True)
    positions = PositionOutputSerializer(many=True)
    open_orders = OrderChildSerializer(many=True)
    strategies = StrategyShareSerializer(many=True)


class AccountOutputSerializer(serializers.Serializer):
    trading_mode = serializers.CharField(help_text="paper, testnet or live")
    market = serializers.CharField(help_text="usdm or spot")
    starting_equity = ExactDecimalField(**EXACT)
    equity = ExactDecimalField(**EXACT, help_text="Starting equity + realized + unrealized")
    realized_pnl = ExactDecimalField(**EXACT)
    unrealized_pnl = ExactDecimalField(**EXACT)
    fees_paid = ExactDecimalField(**EXACT)
    exposure = ExactDecimalField(**EXACT, help_text="Sum of open positions' notional at mark")
    daily_pnl = ExactDecimalField(**EXACT, help_text="Equity now minus equity at 00:00 UTC")
    daily_realized_pnl = ExactDecimalField(**EXACT, help_text="Realized by today's fills, net of fees")
    open_positions = serializers.IntegerField()
    working_orders = serializers.IntegerField()
    unprotected_positions = serializers.IntegerField()
    risk_mode = serializers.CharField()
    strategies = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class PriceOutputSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    price = ExactDecimalField(**EXACT)
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()


ORDER_FILTERS = {
    "status": set(OrderStatus.values),
    "role": set(OrderRole.values),
    "side": {"BUY", "SELL"},
}
