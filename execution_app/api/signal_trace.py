"""GET /api/v1/signals/{id}: a signal with everything that came of it.

The trace spans every layer (signal → decision → orders → fills), so it lives
in the top layer, which may read all of them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.api import ExactModelSerializer

from execution_app.models import Fill, Order
from petrosa.core.errors import NotFound
from risk_app.models import RiskDecision
from signals_app.auth import strategy_of
from signals_app.selectors import signals_visible_to
from signals_app.serializers import SignalOutputSerializer


class RiskDecisionSerializer(ExactModelSerializer):
    class Meta:
        model = RiskDecision
        fields = ["id", "approved", "reason_code", "verdicts", "side", "quantity", "price", "notional",
                  "reduce_only", "created_at"]  # fmt: skip
        read_only_fields = fields


class FillSerializer(ExactModelSerializer):
    class Meta:
        model = Fill
        fields = ["id", "trade_id", "price", "quantity", "quote_quantity", "commission", "commission_asset",
                  "commission_quote", "position_quantity", "is_maker", "realized_pnl", "created_at"]  # fmt: skip
        read_only_fields = fields


class OrderSerializer(ExactModelSerializer):
    fills = FillSerializer(many=True, read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = ["id", "client_order_id", "exchange", "exchange_order_id", "symbol", "side", "position_side",
                  "role", "parent_id", "oco_group", "order_type", "time_in_force", "quantity", "price", "stop_price",
                  "reduce_only", "status", "status_reason", "executed_quantity", "average_price", "created_at",
                  "updated_at", "fills"]  # fmt: skip
        read_only_fields = fields


class SignalTraceSerializer(SignalOutputSerializer):
    decision = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()

    class Meta(SignalOutputSerializer.Meta):
        fields = [*SignalOutputSerializer.Meta.fields, "decision", "orders"]
        read_only_fields = fields

    @extend_schema_field(RiskDecisionSerializer(allow_null=True))
    def get_decision(self, signal: Any) -> dict[str, Any] | None:
        decision = RiskDecision.objects.filter(signal=signal).first()
        return RiskDecisionSerializer(decision).data if decision else None

    @extend_schema_field(OrderSerializer(many=True))
    def get_orders(self, signal: Any) -> list[dict[str, Any]]:
        orders = Order.objects.filter(signal=signal).prefetch_related("fills").order_by("id")
        return OrderSerializer(orders, many=True).data


@extend_schema(responses={200: SignalTraceSerializer}, summary="A signal with its risk decision, orders and fills")
@api_view(["GET"])
def signal_detail(request: Request, signal_id: int) -> Response:
    strategy = strategy_of(request)
    visible = signals_visible_to(
        strategy_id=strategy.pk if strategy else None, is_staff=bool(getattr(request.user, "is_staff", False))
    )
    signal = visible.filter(pk=signal_id).first()
    if signal is None:
        raise NotFound(f"No signal {signal_id} visible to you.")
    return Response(SignalTraceSerializer(signal).data)
