"""HTTP interface for positions, the account and prices (reads only)."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from execution_app.api.permissions import StaffOrStrategyKey
from execution_app.api.serializers import (
    AccountOutputSerializer,
    PositionOutputSerializer,
    PriceOutputSerializer,
    SymbolPositionsSerializer,
)
from execution_app.models import Order, PositionFlag
from execution_app.selectors import (
    WORKING_STATUSES,
    PositionView,
    mark_prices,
    positions_list,
    realized_pnl_since,
    strategy_attribution,
    strategy_pnl_totals,
)
from execution_app.exchange.filters import UnknownSymbol
from execution_app.services.planning import exchange_rules
from petrosa.core.errors import NotFound
from petrosa.core.models import MarketPrice
from petrosa.core.money import decimal_str
from risk_app.models import Position
from risk_app.services.kill_switch import risk_state_get
from risk_app.services.portfolio import portfolio_day_open, portfolio_value, utc_midnight

READ = [IsAuthenticated, StaffOrStrategyKey]
ZERO = Decimal("0")


def _position_payload(view: PositionView) -> dict[str, object]:
    return {f.name: getattr(view, f.name) for f in fields(view)}  # shallow: the orders stay model instances


def _symbol(raw: str) -> str:
    symbol = raw.strip().upper()
    try:
        exchange_rules(symbol)
    except UnknownSymbol:
        raise NotFound(f"{symbol} is not traded on {settings.EXCHANGE_MARKET}.", code="unknown_symbol") from None
    return symbol


@extend_schema(
    parameters=[OpenApiParameter("include_flat", bool, description="Also list closed positions (realized P&L only)")],
    responses={200: PositionOutputSerializer(many=True)},
    summary="Positions per symbol and side: average entry, realized P&L net of fees, unrealized from the mark price",
)
@api_view(["GET"])
@permission_classes(READ)
def positions_collection(request: Request) -> Response:
    include_flat = request.query_params.get("include_flat", "").lower() in ("1", "true", "yes")
    views = positions_list(include_flat=include_flat)
    return Response(PositionOutputSerializer([_position_payload(v) for v in views], many=True).data)


@extend_schema(
    responses={200: SymbolPositionsSerializer, 404: OpenApiResponse(description="unknown_symbol")},
    summary="One symbol: both sides (flat ones too), working orders, and P&L per strategy",
)
@api_view(["GET"])
@permission_classes(READ)
def position_detail(request: Request, symbol: str) -> Response:
    symbol = _symbol(symbol)
    views = positions_list(symbol=symbol, include_flat=True)
    working = Order.objects.filter(symbol=symbol, status__in=WORKING_STATUSES).order_by("id")
    payload = {
        "symbol": symbol,
        "mark_price": mark_prices({symbol}).get(symbol),
        "positions": [_position_payload(v) for v in views],
        "open_orders": working,
        "strategies": [asdict(share) for share in strategy_attribution(symbol=symbol)],
    }
    return Response(SymbolPositionsSerializer(payload).data)


@extend_schema(responses={200: AccountOutputSerializer}, summary="Equity, P&L (total and today), exposure, risk mode")
@api_view(["GET"])
@permission_classes(READ)
def account(request: Request) -> Response:
    value = portfolio_value()
    day = portfolio_day_open()
    now = timezone.now()
    payload = {
        "trading_mode": settings.TRADING_MODE,
        "market": settings.EXCHANGE_MARKET,
        "starting_equity": Decimal(settings.PAPER_STARTING_EQUITY),
        "equity": value.equity,
        "realized_pnl": value.realized_pnl,
        "unrealized_pnl": value.unrealized_pnl,
        "fees_paid": Position.objects.aggregate(total=Sum("fees_paid"))["total"] or ZERO,
        "exposure": value.exposure,
        "daily_pnl": value.equity - day.start_equity,
        "daily_realized_pnl": realized_pnl_since(utc_midnight(now)),
        "open_positions": len(value.open),
        "working_orders": Order.objects.filter(status__in=WORKING_STATUSES).count(),
        "unprotected_positions": PositionFlag.objects.filter(resolved_at__isnull=True).count(),
        "risk_mode": risk_state_get().effective_mode,
        "strategies": {
            name: {key: decimal_str(amount) or "0" for key, amount in totals.items()}
            for name, totals in strategy_pnl_totals().items()
        },
    }
    return Response(AccountOutputSerializer(payload).data)


@extend_schema(
    responses={200: PriceOutputSerializer, 404: OpenApiResponse(description="unknown_symbol or no_price")},
    summary="The last known price of a symbol",
)
@api_view(["GET"])
@permission_classes(READ)
def price(request: Request, symbol: str) -> Response:
    symbol = _symbol(symbol)
    row = MarketPrice.objects.filter(symbol=symbol).first()
    if row is None:
        raise NotFound(f"No market price is known for {symbol} yet.", code="no_price")
    return Response(PriceOutputSerializer(row).data)
