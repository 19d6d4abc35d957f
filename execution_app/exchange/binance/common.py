"""What the spot and the futures adapters share: the caller, the before-trade hooks,
and the one lookup after an unknown outcome."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from binance.client import Client

from execution_app.exchange.base import (
    ExchangeOrder,
    ExchangeOutcomeUnknown,
    ExchangeRejected,
    OrderNotFound,
    OrderRequest,
)
from execution_app.exchange.binance.client import BinanceCaller, CallPolicy
from execution_app.exchange.filters import decimal_to_wire

logger = logging.getLogger(__name__)

BeforeTrade = Callable[[Any, OrderRequest], None]


def wire(value: Decimal) -> str:
    """A Decimal as Binance wants it: ``0.00001``, never ``1e-05``."""
    return decimal_to_wire(value)


class BinanceAdapterBase(ABC):
    name = "binance"
    market = ""
    time_method = "get_server_time"

    def __init__(
        self,
        client: Client,
        *,
        policy: CallPolicy | None = None,
        before_trade: Sequence[BeforeTrade] = (),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.call = BinanceCaller(
            client, policy=policy or CallPolicy(), time_method=self.time_method, exchange_name=self.name, sleep=sleep
        )
        self.before_trade = tuple(before_trade)

    @abstractmethod
    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder:
        """Spot and futures look orders up at different endpoints; each adapter says how."""

    def prepare(self, request: OrderRequest) -> None:
        """Run the before-trade hooks (trading guard, leverage); a hook refuses by raising ExchangeRejected."""
        for hook in self.before_trade:
            hook(self, request)

    def found_after_unknown(self, request: OrderRequest, cause: ExchangeOutcomeUnknown) -> ExchangeOrder:
        """The order after a send whose outcome is unknown: looked up once, never resent.

        Found: that is the answer. Not found (yet) or the lookup failed too:
        still unknown, and the order service resolves it later by lookup.
        """
        logger.warning("%s %s: outcome unknown (%s); looking it up", self.name, request.client_order_id, cause)
        try:
            return self.get_order(symbol=request.symbol, client_order_id=request.client_order_id)
        except (OrderNotFound, ExchangeOutcomeUnknown, ExchangeRejected) as exc:
            raise ExchangeOutcomeUnknown(f"{cause}; lookup: {type(exc).__name__} {exc}") from cause
