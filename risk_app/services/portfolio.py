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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from datetime import timezone as dt_timezone
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.models import MarketPrice
from risk_app.models import MONEY, PortfolioDay, Position, PositionSide
from risk_app.services.rules.facts import Holding

ZERO = Decimal("0")
MONEY_FIELD = DecimalField(**MONEY)


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


# Portfolio reads are UNION ALLs of differently shaped parts, so that what is read
# together comes from one snapshot in one round trip. Every part yields ROW; what
# the columns hold depends on the kind:
#   open:   symbol, side, quantity, entry price, mark (in SQL), realized P&L
#   closed: -, -, -, -, -, the realized P&L of every flat position (one SUM row, none if nothing closed)
#   day:    -, -, start equity, loss baseline, start realized, start unrealized (of the day asked for)
ROW = ("kind", "symbol_", "side_", "qty", "price_a", "price_b", "realized", "executed")


def money(value: Decimal = ZERO) -> Value:
    return Value(value, output_field=MONEY_FIELD)


def as_rows(queryset: QuerySet[Any], kind: str, **columns: Any) -> QuerySet[Any]:
    return queryset.order_by().annotate(kind=Value(kind, output_field=CharField()), **columns).values_list(*ROW)


def _mark() -> Coalesce:
    """The last market price of the position's symbol, else its last fill price, else its entry price.
    NULLIF keeps Python's `or` semantics of the code this replaced: a zero price counts as none."""
    market = Subquery(MarketPrice.objects.filter(symbol=OuterRef("symbol")).values("price")[:1])
    return Coalesce(
        NullIf(market, money()), NullIf(F("mark_price"), money()), F("avg_entry_price"), output_field=MONEY_FIELD
    )


def position_parts() -> list[QuerySet[Any]]:
    """Open positions as rows, marked to market in SQL; flat ones only as the sum of their realized P&L
    (with thousands of closed positions, reading them as rows cost more than everything else)."""
    blank = Value("", output_field=CharField())
    open_rows = as_rows(
        Position.objects.filter(quantity__gt=0), "open", symbol_=F("symbol"), side_=F("side"), qty=F("quantity"),
        price_a=F("avg_entry_price"), price_b=_mark(), realized=F("realized_pnl"), executed=money(),
    )  # fmt: skip
    # Constants stay out of GROUP BY, so this is one aggregate row over every flat position.
    closed = (
        Position.objects.filter(quantity__lte=0)
        .order_by()
        .annotate(kind=Value("closed", output_field=CharField()), symbol_=blank, side_=blank, qty=money(),
                  price_a=money(), price_b=money(), executed=money())  # fmt: skip
        .values("kind", "symbol_", "side_", "qty", "price_a", "price_b", "executed")
        .annotate(realized=Sum("realized_pnl"))
        .values_list(*ROW)
    )
    return [open_rows, closed]


def day_part(day: date) -> QuerySet[Any]:
    return as_rows(
        PortfolioDay.objects.filter(day=day), "day", symbol_=Value(""), side_=Value(""),
        qty=F("start_equity"), price_a=F("loss_baseline_equity"), price_b=F("start_realized_pnl"),
        realized=F("start_unrealized_pnl"), executed=money(),
    )  # fmt: skip


def union_read(parts: list[QuerySet[Any]]) -> list[tuple[Any, ...]]:
    first, *rest = parts
    return list(first.union(*rest, all=True)) if rest else list(first)


def portfolio_value_of(rows: Iterable[tuple[Any, ...]]) -> PortfolioValue:
    """The value of the open and closed rows among a union read's rows (other kinds are skipped)."""
    realized, unrealized, holdings = ZERO, ZERO, []
    for kind, symbol, side, quantity, entry, mark, pnl, _ in rows:
        if kind == "closed" and pnl is not None:  # None: nothing is flat
            realized += pnl
        if kind != "open":
            continue
        realized += pnl
        direction = 1 if side == PositionSide.LONG else -1
        unrealized += (mark - entry) * quantity * direction
        holdings.append(Holding(symbol=symbol, side=side, quantity=quantity, price=mark))
    equity = Decimal(settings.PAPER_STARTING_EQUITY) + realized + unrealized
    return PortfolioValue(realized, unrealized, equity, tuple(holdings))


def day_of(rows: Iterable[tuple[Any, ...]], day: date) -> PortfolioDay | None:
    """The row of day_part(day) among a union read's rows, as an unsaved PortfolioDay (for reading only)."""
    for kind, _, _, start_equity, baseline, start_realized, start_unrealized, _ in rows:
        if kind == "day":
            return PortfolioDay(
                day=day, start_equity=start_equity, loss_baseline_equity=baseline,
                start_realized_pnl=start_realized, start_unrealized_pnl=start_unrealized,
            )  # fmt: skip
    return None


def portfolio_value() -> PortfolioValue:
    """One consistent read of every position (a single query), marked to market."""
    return portfolio_value_of(union_read(position_parts()))


def portfolio_snapshot(*, now: datetime | None = None) -> tuple[PortfolioDay, PortfolioValue]:
    """Today's start-of-day record and the portfolio's value, read together in one statement.
    If nobody has opened the day yet, opens it and then reads the value, as two reads used to."""
    now = now or timezone.now()
    rows = union_read([day_part(utc_day(now)), *position_parts()])
    opened = day_of(rows, utc_day(now))
    if opened is None:
        opened = portfolio_day_open(now=now)
        rows = union_read(position_parts())
    return opened, portfolio_value_of(rows)


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
