"""The signal contract: what a strategy may send, and how a signal is shown back."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from django.utils import timezone as dj_timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from petrosa.core.api import ExactModelSerializer, PrebuiltFieldsMixin, RoundedDecimalField, json_plain

from signals_app.models import Action, Mode, OrderType, Signal, Strength, TimeInForce
from signals_app.services.modes import TIMEFRAMES

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{5,20}$")
LIMIT_TYPES = {OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT, OrderType.CONDITIONAL_LIMIT}
CONDITIONAL_TYPES = {OrderType.CONDITIONAL_LIMIT, OrderType.CONDITIONAL_STOP}
STOP_TYPES = {OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
MONEY = {"max_digits": 30, "decimal_places": 12}
# Fractions and confidences are rounded, not refused: a strategy computing 0.7833333333
# in floating point means 0.78333, and refusing it would help nobody.
FRACTION = {"decimal_places": 6, "min_value": Decimal("0"), "max_value": Decimal("1")}
CONFIDENCE = {"decimal_places": 5, "min_value": Decimal("0"), "max_value": Decimal("1")}
EPOCH_MIN, EPOCH_MAX = 946684800, 4102444800  # 2000-01-01 .. 2100-01-01


def _positive(**extra: Any) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False, allow_null=True, **extra)


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "format": "date-time"}, {"type": "number", "description": "epoch s or ms"}],
        "description": "ISO 8601 (naive = UTC) or epoch seconds/milliseconds",
    }
)
class SignalTimestampField(serializers.Field):
    """ISO 8601 or epoch seconds/milliseconds; a naive time is taken as UTC."""

    default_error_messages = {"invalid": "Send an ISO 8601 time or epoch seconds between 2000 and 2100."}

    def to_internal_value(self, data: Any) -> datetime:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, (int, Decimal, float)):
            seconds = Decimal(str(data))
            if seconds > EPOCH_MAX * 1000:
                self.fail("invalid")
            if seconds > EPOCH_MAX:
                seconds = seconds / 1000  # milliseconds, as Binance sends them
            if not EPOCH_MIN <= seconds <= EPOCH_MAX:
                self.fail("invalid")
            return datetime.fromtimestamp(float(seconds), tz=timezone.utc)
        if isinstance(data, str):
            try:
                parsed = serializers.DateTimeField(default_timezone=timezone.utc).to_internal_value(data)
            except serializers.ValidationError:
                self.fail("invalid")
            if dj_timezone.is_naive(parsed):
                parsed = parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
        self.fail("invalid")
        raise AssertionError  # unreachable: fail() raises

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class SignalInputSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    strategy_id = serializers.SlugField(max_length=64, required=False)
    signal_id = serializers.CharField(max_length=255, required=False, allow_blank=False)
    symbol = serializers.CharField(max_length=20)
    action = serializers.ChoiceField(choices=Action.choices)
    confidence = RoundedDecimalField(**CONFIDENCE)
    strength = serializers.ChoiceField(choices=Strength.choices, default=Strength.MEDIUM)
    strategy_mode = serializers.ChoiceField(choices=Mode.choices, default=Mode.DETERMINISTIC)
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, default="1h")
    price = _positive()
    current_price = _positive()
    quantity = _positive()
    quote_quantity = _positive()
    # Not sent: the trading config's default_order_type / time_in_force apply (market / GTC by default).
    order_type = serializers.ChoiceField(choices=OrderType.choices, required=False)
    time_in_force = serializers.ChoiceField(choices=TimeInForce.choices, required=False)
    position_size_pct = RoundedDecimalField(**FRACTION, required=False, allow_null=True)
    stop_loss = _positive()
    stop_loss_pct = RoundedDecimalField(**FRACTION, required=False, allow_null=True)
    take_profit = _positive()
    take_profit_pct = RoundedDecimalField(**FRACTION, required=False, allow_null=True)
    conditional_price = _positive()
    conditional_direction = serializers.ChoiceField(choices=["above", "below"], required=False, allow_null=True)
    conditional_timeout = serializers.IntegerField(min_value=1, max_value=7 * 86400, required=False, allow_null=True)
    iceberg_quantity = _positive()
    model_confidence = RoundedDecimalField(**CONFIDENCE, required=False, allow_null=True)
    model_features = serializers.DictField(required=False, allow_null=True)
    llm_reasoning = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    llm_alternatives = serializers.ListField(child=serializers.DictField(), required=False, allow_null=True)
    indicators = serializers.DictField(required=False, allow_null=True)
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    meta = serializers.DictField(required=False, default=dict)
    timestamp = SignalTimestampField(required=False)

    def validate_symbol(self, value: str) -> str:
        symbol = value.strip().upper()
        if not SYMBOL_PATTERN.match(symbol):
            raise serializers.ValidationError("A symbol is 5-20 letters or digits, e.g. BTCUSDT.")
        return symbol

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for free_form in ("meta", "indicators", "model_features", "llm_alternatives"):
            if attrs.get(free_form) is not None:
                attrs[free_form] = json_plain(attrs[free_form])
        errors: dict[str, str] = {}
        order_type = attrs.get("order_type")
        entry = attrs.get("price") or attrs.get("current_price")
        if order_type in LIMIT_TYPES and not attrs.get("price"):
            errors["price"] = f"A {order_type} order needs a limit price."
        if order_type in STOP_TYPES and not (attrs.get("conditional_price") or attrs.get("price")):
            errors["price"] = f"A {order_type} order needs a trigger price (price or conditional_price)."
        if order_type in CONDITIONAL_TYPES:
            if not attrs.get("conditional_price"):
                errors["conditional_price"] = f"A {order_type} order needs conditional_price."
            if not attrs.get("conditional_direction"):
                errors["conditional_direction"] = f"A {order_type} order needs conditional_direction (above/below)."
        for name in ("price", "current_price", "conditional_price"):
            if attrs.get(name) == 0:
                errors[name] = "Must be greater than zero."
        action = attrs.get("action")
        stop_loss, take_profit = attrs.get("stop_loss"), attrs.get("take_profit")
        if entry and action == Action.BUY:
            if stop_loss and stop_loss >= entry:
                errors["stop_loss"] = "For a buy, stop_loss must be below the entry price."
            if take_profit and take_profit <= entry:
                errors["take_profit"] = "For a buy, take_profit must be above the entry price."
        if entry and action == Action.SELL:
            if stop_loss and stop_loss <= entry:
                errors["stop_loss"] = "For a sell, stop_loss must be above the entry price."
            if take_profit and take_profit >= entry:
                errors["take_profit"] = "For a sell, take_profit must be below the entry price."
        if attrs.get("stop_loss") and attrs.get("stop_loss_pct"):
            errors["stop_loss_pct"] = "Send stop_loss or stop_loss_pct, not both."
        if attrs.get("take_profit") and attrs.get("take_profit_pct"):
            errors["take_profit_pct"] = "Send take_profit or take_profit_pct, not both."
        if attrs.get("quantity") and attrs.get("quote_quantity"):
            errors["quote_quantity"] = "Send quantity or quote_quantity, not both."
        if attrs.get("strategy_mode") == Mode.LLM_REASONING and not attrs.get("llm_reasoning", "").strip():
            errors["llm_reasoning"] = "llm_reasoning mode requires the reasoning text."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SignalOutputSerializer(PrebuiltFieldsMixin, ExactModelSerializer):
    strategy_id = serializers.CharField(source="strategy.name")
    timestamp = serializers.DateTimeField(source="signal_timestamp")
    # Declared so the schema admits "" (not sent: the config's default applies); a
    # ModelSerializer drops allow_blank from read-only fields.
    order_type = serializers.ChoiceField(choices=OrderType.choices, allow_blank=True, read_only=True)
    time_in_force = serializers.ChoiceField(choices=TimeInForce.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Signal
        fields = [
            "id", "strategy_id", "source", "idempotency_key", "symbol", "action", "confidence", "strength",
            "strategy_mode", "timeframe", "price", "current_price", "quantity", "quote_quantity", "order_type",
            "time_in_force", "position_size_pct", "stop_loss", "stop_loss_pct", "take_profit", "take_profit_pct",
            "conditional_price", "conditional_direction", "conditional_timeout", "iceberg_quantity",
            "model_confidence", "model_features", "llm_reasoning", "llm_alternatives", "indicators", "rationale",
            "meta", "timestamp", "status", "status_reason", "received_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
