"""What the risk gate judges: the exact order execution means to send."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TradeIntent:
    symbol: str
    side: str  # BUY or SELL
    position_side: str  # LONG or SHORT: the position the order opens, adds to or reduces
    quantity: Decimal  # already snapped to the symbol's step size
    price: Decimal  # the reference price the notional was computed at
    reduce_only: bool
    # The quantity step the order is aligned to. A size raised to the USD floor is
    # rounded UP to it, so the gate lets the floor be exceeded by at most one step.
    quantity_step: Decimal = Decimal("0")

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price


@dataclass(frozen=True)
class SizingFailure:
    """Execution could not build an order the exchange would accept."""

    code: str
    detail: str
