"""What every exchange adapter speaks: requests, results and the three ways a call ends.

A call either returns the exchange's view of the order, raises ExchangeRejected
(the exchange said no: nothing was placed), or raises ExchangeOutcomeUnknown
(timeout, 5xx: the order may or may not exist; look it up, never resend).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class OrderRequest:
    client_order_id: str
    symbol: str
    side: str  # BUY / SELL
    order_type: str  # Binance type name: MARKET, LIMIT, ...
    quantity: Decimal
    price: Decimal | None = None
    time_in_force: str = ""
    reduce_only: bool = False
    position_side: str = ""


@dataclass(frozen=True)
class ExchangeFill:
    trade_id: str
    price: Decimal
    quantity: Decimal
    commission: Decimal
    commission_asset: str
    is_maker: bool = False


@dataclass(frozen=True)
class ExchangeOrder:
    client_order_id: str
    exchange_order_id: str
    status: str  # one of execution_app.models.OrderStatus values
    executed_quantity: Decimal
    average_price: Decimal | None
    fills: tuple[ExchangeFill, ...] = field(default=())


class ExchangeRejected(Exception):
    """The exchange refused the order; it does not exist there."""

    def __init__(self, *, code: int, message: str, reason: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.reason = code, message, reason


class ExchangeOutcomeUnknown(Exception):
    """The call may or may not have placed the order."""


class OrderNotFound(Exception):
    """The exchange has no order with that client order id."""


class ExchangeAdapter(Protocol):
    name: str

    def place_order(self, request: OrderRequest) -> ExchangeOrder: ...

    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder: ...
