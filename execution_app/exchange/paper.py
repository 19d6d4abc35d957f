"""The in-process paper exchange: Binance's filter rules, taker fees, market fills.

It keeps its own book (PaperOrder) in a separate transaction from ours, as a
remote exchange would, so an order can be looked up by client order id after
a crash exactly as on Binance.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from execution_app.exchange.base import (
    ExchangeFill,
    ExchangeOrder,
    ExchangeRejected,
    OrderNotFound,
    OrderRequest,
)
from execution_app.exchange.filters import UnknownSymbol, check_order, symbol_rules, violation_error
from execution_app.models import OrderStatus, PaperOrder
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest


class PaperExchange:
    name = "paper"

    def __init__(self, *, market: str | None = None) -> None:
        self.market = market or settings.EXCHANGE_MARKET
        self.taker_fee_rate = Decimal(settings.PAPER_TAKER_FEE_RATE)

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        existing = PaperOrder.objects.filter(client_order_id=request.client_order_id).first()
        if existing is not None:
            # Binance refuses a duplicate client order id while the first is open;
            # a filled market order's id is free again, which is why callers must
            # look up rather than resend. We refuse both: the paper book is stricter.
            raise ExchangeRejected(code=-2010, message="Duplicate order sent.", reason="duplicate_client_order_id")
        try:
            rules = symbol_rules(request.symbol, market=self.market)
        except UnknownSymbol:
            raise ExchangeRejected(code=-1121, message="Invalid symbol.", reason="unknown_symbol") from None
        if request.order_type != "MARKET":
            raise ExchangeRejected(
                code=-1116, message="Invalid orderType.", reason="order_type_not_supported_on_paper_yet"
            )
        try:
            price = price_latest(request.symbol)
        except Unprocessable:
            raise ExchangeRejected(code=-1013, message="No market price.", reason="no_price") from None
        violation = check_order(
            rules, side=request.side, order_type="MARKET", quantity=request.quantity, price=None, reference_price=price
        )
        if violation is not None:
            code, message = violation_error(rules, violation)
            raise ExchangeRejected(code=code, message=message, reason=f"filter_{violation.filter.lower()}")
        quote = request.quantity * price
        commission = quote * self.taker_fee_rate
        try:
            with transaction.atomic():
                row = PaperOrder.objects.create(
                    client_order_id=request.client_order_id,
                    symbol=request.symbol,
                    side=request.side,
                    order_type=request.order_type,
                    quantity=request.quantity,
                    status=OrderStatus.FILLED,
                    executed_quantity=request.quantity,
                    cumulative_quote=quote,
                    fills=[
                        {
                            "price": str(price),
                            "qty": str(request.quantity),
                            "commission": str(commission),
                            "commissionAsset": rules.quote_asset,
                        }
                    ],
                )
        except IntegrityError:
            raise ExchangeRejected(code=-2010, message="Duplicate order sent.", reason="duplicate_client_order_id") from None
        return _as_exchange_order(row)

    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        row = PaperOrder.objects.filter(symbol=symbol, client_order_id=client_order_id).first()
        if row is None:
            raise OrderNotFound(client_order_id)
        return _as_exchange_order(row)


def _as_exchange_order(row: PaperOrder) -> ExchangeOrder:
    fills = tuple(
        ExchangeFill(
            trade_id=f"{row.exchange_order_id}-{index}",
            price=Decimal(fill["price"]),
            quantity=Decimal(fill["qty"]),
            commission=Decimal(fill["commission"]),
            commission_asset=fill["commissionAsset"],
        )
        for index, fill in enumerate(row.fills, start=1)
    )
    average = (row.cumulative_quote / row.executed_quantity) if row.executed_quantity else None
    return ExchangeOrder(
        client_order_id=row.client_order_id,
        exchange_order_id=str(row.exchange_order_id),
        status=row.status,
        executed_quantity=row.executed_quantity,
        average_price=average,
        fills=fills,
    )
