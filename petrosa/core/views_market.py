"""POST /api/v1/market/simulate (seed 003's /market/simulate): an operator
pushes a price, and it travels the same path as a feed's tick: the paper
exchange and the built-in strategies see it at once."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from petrosa.core.errors import Forbidden, InvalidInput, Unprocessable
from petrosa.core.market import market_simulate

SIMULATE_PERMISSION = "core.change_marketprice"
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{2,20}$")


class MaySimulateMarket(BasePermission):
    """An operator (staff) with core.change_marketprice; never a strategy key."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_staff", False):
            raise Forbidden("Only operators (staff) may simulate market prices.", code="operator_required")
        if not user.has_perm(SIMULATE_PERMISSION):
            raise Forbidden(f"Simulating prices needs the {SIMULATE_PERMISSION} permission.")
        return True


class SimulateInputSerializer(serializers.Serializer):
    symbol = serializers.CharField(max_length=20, help_text="e.g. BTCUSDT")
    price = serializers.DecimalField(max_digits=30, decimal_places=12, min_value=Decimal("0"))

    def validate_symbol(self, value: str) -> str:
        symbol = value.strip().upper()
        if not SYMBOL_PATTERN.match(symbol):
            raise serializers.ValidationError("A symbol is 2-20 letters or digits, e.g. BTCUSDT.")
        return symbol

    def validate_price(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than zero.")
        return value


class SimulateOutputSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    price = serializers.CharField(help_text="Decimal string")
    previous_price = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema(
    request=SimulateInputSerializer,
    responses={
        200: SimulateOutputSerializer,
        400: OpenApiResponse(description="validation_error"),
        403: OpenApiResponse(description="operator_required or permission_denied"),
        422: OpenApiResponse(description="simulation_unavailable: testnet or live trading"),
    },
    summary="Push a market price (paper trading only)",
    description=(
        "Sets the symbol's price and publishes it as a market tick: resting paper orders and the built-in "
        "strategies react to it. Body {\"symbol\", \"price\"}, or the seed's query string ?symbol=&price=."
    ),
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, MaySimulateMarket])
def market_simulate_view(request: Request) -> Response:
    if settings.TRADING_MODE != "paper":
        raise Unprocessable(
            f"Prices cannot be simulated while trading {settings.TRADING_MODE}.", code="simulation_unavailable"
        )
    raw = request.data if request.data else request.query_params
    if not hasattr(raw, "get"):  # a JSON array, number or string: found by schemathesis as a 500
        raise InvalidInput("The body must be a JSON object.", fields={"non_field_errors": ["Not an object."]})
    serializer = SimulateInputSerializer(data={key: raw.get(key) for key in ("symbol", "price") if key in raw})
    serializer.is_valid(raise_exception=True)
    symbol, price = serializer.validated_data["symbol"], serializer.validated_data["price"]
    tick, before = market_simulate(symbol=symbol, price=price, actor=f"user:{request.user.get_username()}")
    body = {
        "symbol": symbol,
        "price": format(price.normalize(), "f"),
        "previous_price": format(before.normalize(), "f") if before is not None else None,
        "source": tick.source,
        "at": tick.at,
    }
    return Response(SimulateOutputSerializer(body).data)
