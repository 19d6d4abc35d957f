"""The portfolio the gate guards: positions at their marks, equity, and the UTC day.

Equity = PAPER_STARTING_EQUITY + realized P&L (net of every fee) + unrealized
P&L. A position is marked at the last market price of its symbol, falling
back to its last fill price and then to its entry price.

Today's P&L is equity minus the equity stored when the UTC day was opened.
The day is opened (once, by whichever comes first: a fill, the gate, the
status page or the beat task) before the day's first fill is booked, so the
realized part of today's P&L is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.models import MarketPrice
from risk_app.models import PortfolioDay, Position, PositionSide
from risk_app.services.rules.facts import Holding

ZERO = Decimal("0")


@dataclass(frozen=True)
class PortfolioValue:
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    equity: Decimal
    open: tuple[Holding, ...]  # positions with a quantity, at their marks

    @property
    def exposure(self) -> Decimal:
        return sum((h.notional for h in self.open), ZERO)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(dt_timezone.utc).date()


def utc_midnight(moment: datetime) -> datetime:
    return datetime.combine(utc_day(moment), time.min, tzinfo=dt_timezone.utc)


# symbol, side, quantity, entry price, last fill price, realized P&L
PositionRow = tuple[str, str, Decimal, Decimal, Decimal | None, Decimal]
POSITION_COLUMNS = ("symbol", "side", "quantity", "avg_entry_price", "mark_price", "realized_pnl")


def portfolio_value() -> PortfolioValue:
    """One consistent read of every position (a single query), marked to market."""
    return portfolio_value_of(list(Position.objects.values_list(*POSITION_COLUMNS)))


def portfolio_value_of(rows: list[PositionRow]) -> PortfolioValue:
    open_symbols = {symbol for symbol, _, quantity, *_ in rows if quantity > 0}
    market = dict(MarketPrice.objects.filter(symbol__in=open_symbols).values_list("symbol", "price"))
    realized, unrealized, holdings = ZERO, ZERO, []
    for symbol, side, quantity, entry, last_fill, pnl in rows:
        realized += pnl
        if quantity <= 0:
            continue
        mark = market.get(symbol) or last_fill or entry
        direction = 1 if side == PositionSide.LONG else -1
        unrealized += (mark - entry) * quantity * direction
        holdings.append(Holding(symbol=symbol, side=side, quantity=quantity, price=mark))
    equity = Decimal(settings.PAPER_STARTING_EQUITY) + realized + unrealized
    return PortfolioValue(realized, unrealized, equity, tuple(holdings))


def portfolio_equity() -> Decimal:
    return portfolio_value().equity


def position_quantity(*, symbol: str, side: str) -> Decimal:
    quantity = Position.objects.filter(symbol=symbol, side=side).values_list("quantity", flat=True).first()
    return quantity or ZERO


def portfolio_day_open(*, now: datetime | None = None) -> PortfolioDay:
    """Today's (UTC) start-of-day record, written the first time the day is seen.

    Concurrent openers race on the unique day: the loser's insert waits for the
    winner's commit, fails, and reads the winner's row.
    """
    day = utc_day(now or timezone.now())
    existing = PortfolioDay.objects.filter(day=day).first()
    if existing is not None:
        return existing
    value = portfolio_value()
    try:
        with transaction.atomic():
            row = PortfolioDay.objects.create(
                day=day,
                start_equity=value.equity,
                start_realized_pnl=value.realized_pnl,
                start_unrealized_pnl=value.unrealized_pnl,
                loss_baseline_equity=value.equity,
            )
            audit_record(
                kind="portfolio.day_opened",
                entity_type="portfolio_day",
                entity_id=day.isoformat(),
                actor="system",
                data={"start_equity": value.equity, "realized_pnl": value.realized_pnl,
                      "unrealized_pnl": value.unrealized_pnl},
            )  # fmt: skip
    except IntegrityError:
        row = PortfolioDay.objects.get(day=day)
    return row
