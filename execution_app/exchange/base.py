"""What every exchange adapter speaks: requests, results and the three ways a call ends.

A call either returns the exchange's view of the order, raises ExchangeRejected
(the exchange said no: nothing was placed), or raises ExchangeOutcomeUnknown
(timeout, 5xx: the order may or may not exist; look it up, never resend).

Order types use Binance's names for the adapter's market. An adapter for
USD-M futures sends STOP_MARKET, TAKE_PROFIT_MARKET, STOP and TAKE_PROFIT
through Binance's algo endpoint itself; callers just set ``order_type`` and
``stop_price`` and find the order again by its client order id (before and
after it triggers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

# Binance order types each market accepts through place_order.
SPOT_ORDER_TYPES = frozenset(
    {"MARKET", "LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"}
)
USDM_ORDER_TYPES = frozenset({"MARKET", "LIMIT", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"})
TIME_IN_FORCE = frozenset({"GTC", "IOC", "FOK", "GTX"})  # GTX = post-only (futures); spot uses LIMIT_MAKER


@dataclass(frozen=True)
class OrderRequest:
    """One order as we want it on the exchange.

    ``quantity`` and prices are already snapped to the symbol's filters.
    ``price`` is the limit price (LIMIT, *_LIMIT, STOP, TAKE_PROFIT,
    LIMIT_MAKER); ``stop_price`` the trigger (stop and take-profit types).
    ``time_in_force`` is empty for types that take none; limit types default
    to GTC in the adapter. ``position_side`` is LONG/SHORT: an adapter sends
    it only when the account is in hedge mode (else BOTH). ``reduce_only``
    (one-way futures) and ``close_position`` (futures STOP_MARKET /
    TAKE_PROFIT_MARKET: close the whole position, quantity ignored) are
    futures-only and ignored on spot.
    """

    client_order_id: str
    symbol: str
    side: str  # BUY / SELL
    order_type: str  # Binance type name: MARKET, LIMIT, ...
    quantity: Decimal
    price: Decimal | None = None
    time_in_force: str = ""
    reduce_only: bool = False
    position_side: str = ""
    stop_price: Decimal | None = None
    close_position: bool = False


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
    """The exchange's view of one order. ``status`` is an OrderStatus value
    (open, partially_filled, filled, canceled, rejected, expired); a
    conditional order waiting for its trigger is ``open`` with
    ``is_working`` False. ``fills`` is every fill so far (recording them is
    idempotent by ``trade_id``)."""

    client_order_id: str
    exchange_order_id: str
    status: str  # one of execution_app.models.OrderStatus values
    executed_quantity: Decimal
    average_price: Decimal | None
    fills: tuple[ExchangeFill, ...] = field(default=())
    symbol: str = ""
    side: str = ""
    order_type: str = ""
    quantity: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    is_working: bool = True


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

    def place_order(self, request: OrderRequest) -> ExchangeOrder:
        """Send one order; raises ExchangeRejected or ExchangeOutcomeUnknown."""
        ...

    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        """The order's current state; raises OrderNotFound."""
        ...

    def cancel_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        """Cancel an open order and return its state afterwards. An order that
        is already closed (filled, canceled, expired) is returned as it is, so
        a repeated cancel is harmless; an unknown id raises OrderNotFound.
        Cancelling one leg of an exchange-side OCO cancels the other too."""
        ...

    def open_orders(self, *, symbol: str | None = None) -> list[ExchangeOrder]:
        """Orders still open on the exchange for ``symbol`` (every symbol when
        None), conditional orders waiting for their trigger included, oldest first."""
        ...
