"""What an advisor looks at: the open positions and the last market prices.

The portfolio lives in risk_app, a layer above this one. The advisor reads
it through the app registry, read-only, instead of importing risk_app: an
advisor must see the book, and must never be able to touch anything that
trades.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps

from petrosa.core.errors import DomainError
from petrosa.core.market import price_latest
from petrosa.core.money import decimal_str


@dataclass(frozen=True)
class PositionView:
    symbol: str
    side: str  # LONG or SHORT
    quantity: Decimal
    avg_entry_price: Decimal
    mark_price: Decimal | None
    realized_pnl: Decimal

    @property
    def direction(self) -> int:
        return 1 if self.side == "LONG" else -1

    @property
    def notional(self) -> Decimal:
        return self.quantity * (self.mark_price or self.avg_entry_price)

    @property
    def unrealized_pnl(self) -> Decimal:
        if self.mark_price is None:
            return Decimal("0")
        return (self.mark_price - self.avg_entry_price) * self.quantity * self.direction

    @property
    def return_pct(self) -> Decimal:
        """Unrealized P&L as a fraction of the entry cost: -0.05 is a 5 % loss."""
        cost = self.quantity * self.avg_entry_price
        return self.unrealized_pnl / cost if cost else Decimal("0")

    def as_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "side": self.side,
            "quantity": decimal_str(self.quantity),
            "avg_entry_price": decimal_str(self.avg_entry_price),
            "mark_price": decimal_str(self.mark_price),
            "notional": decimal_str(self.notional),
            "unrealized_pnl": decimal_str(self.unrealized_pnl),
            "return_pct": decimal_str(self.return_pct.quantize(Decimal("0.000001"))),
            "realized_pnl": decimal_str(self.realized_pnl),
        }


@dataclass(frozen=True)
class AdvisorContext:
    positions: tuple[PositionView, ...]
    prices: dict[str, Decimal] = field(default_factory=dict)

    @property
    def symbols(self) -> frozenset[str]:
        """Symbols an idea may name: those held or priced. Anything else is made up."""
        return frozenset(self.prices) | {p.symbol for p in self.positions}

    @property
    def total_notional(self) -> Decimal:
        return sum((p.notional for p in self.positions), Decimal("0"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "positions": [p.as_dict() for p in self.positions],
            "prices": {symbol: decimal_str(price) for symbol, price in sorted(self.prices.items())},
            "total_notional": decimal_str(self.total_notional),
            "unrealized_pnl": decimal_str(sum((p.unrealized_pnl for p in self.positions), Decimal("0"))),
        }


def _price_or_none(symbol: str) -> Decimal | None:
    try:
        return price_latest(symbol)
    except DomainError:
        return None


def advisor_context_build(*, symbols: list[str]) -> AdvisorContext:
    """Open positions marked at the latest price, plus the prices of ``symbols``."""
    position_model = apps.get_model("risk_app", "Position")
    positions = []
    for row in position_model.objects.filter(quantity__gt=0).order_by("symbol", "side"):
        mark = _price_or_none(row.symbol) or row.mark_price
        positions.append(
            PositionView(
                symbol=row.symbol,
                side=row.side,
                quantity=row.quantity,
                avg_entry_price=row.avg_entry_price,
                mark_price=mark,
                realized_pnl=row.realized_pnl,
            )
        )
    prices = {p.symbol: p.mark_price for p in positions if p.mark_price is not None}
    for symbol in symbols:
        price = _price_or_none(symbol)
        if price is not None:
            prices[symbol] = price
    return AdvisorContext(positions=tuple(positions), prices=prices)
