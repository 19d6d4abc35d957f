"""Reads the gate and the status page need: the book an entry joins.

Approved entries are reservations from the moment they are decided: until
their order has filled they count at the decision's price, so several workers
deciding at once cannot each see room that the others are about to take.
An entry's order is read through the reverse relation of RiskDecision (the
rows our approvals caused), never by importing execution_app: the orders
table is execution's, and this module only reads whether the entry order has
finished.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q

from risk_app.models import PortfolioDay, RiskDecision, RiskState
from risk_app.services.portfolio import (
    PortfolioValue,
    as_rows,
    day_of,
    day_part,
    money,
    portfolio_day_open,
    portfolio_value_of,
    position_parts,
    union_read,
    utc_day,
    utc_midnight,
)
from risk_app.services.rules.facts import Book, Holding
from signals_app.models import Signal

# Order statuses in which an entry has not (fully) reached the position yet (held: a
# conditional entry waiting for its price, which may still fill).
IN_FLIGHT_ORDER_STATUSES = ("held", "pending", "submitting", "unknown", "open", "partially_filled")
# An approved entry with no order yet is a reservation for this long: in the
# pipeline the order is created in the decision's own transaction, so only a
# caller that never orders leaves one, and it must not block entries forever.
RESERVATION_WITHOUT_ORDER = timedelta(hours=1)
RATE_WINDOW = timedelta(seconds=60)


def _reservation_parts(*, now: datetime) -> list[Any]:
    entries = RiskDecision.objects.filter(approved=True, reduce_only=False)
    reserved = {"symbol_": F("symbol"), "side_": F("position_side"), "price_a": F("price"), "price_b": F("price"),
                "realized": money()}
    without_order = as_rows(
        entries.filter(created_at__gte=now - RESERVATION_WITHOUT_ORDER).exclude(orders__reduce_only=False),
        "reserved", qty=F("quantity"), executed=money(), **reserved,
    )
    in_flight = as_rows(
        entries.filter(orders__reduce_only=False, orders__status__in=IN_FLIGHT_ORDER_STATUSES),
        "reserved", qty=F("orders__quantity"), executed=F("orders__executed_quantity"), **reserved,
    )
    return [without_order, in_flight]


def _book_rows(*, now: datetime) -> list[tuple[Any, ...]]:
    """Today's start-of-day row, positions and reservations in ONE statement, so one snapshot.

    Fills are booked outside the portfolio lock; read in two statements, an
    entry that filled in between would be in neither (reserved no more, in no
    position yet) or in both. Flat positions come as one sum of their realized
    P&L, not as rows (portfolio.position_parts).
    """
    return union_read([day_part(utc_day(now)), *position_parts(), *_reservation_parts(now=now)])


def _book_snapshot(*, now: datetime) -> tuple[PortfolioDay, PortfolioValue, tuple[Holding, ...]]:
    """The day, the positions marked to market, and the approved entries not in them yet (one snapshot).

    The first read of a UTC day finds no day row: the day is opened (from its own read of the
    portfolio) and the book read again, so the book is read after the day opened, as always."""
    rows = _book_rows(now=now)
    day = day_of(rows, utc_day(now))
    if day is None:
        day = portfolio_day_open(now=now)
        rows = _book_rows(now=now)
    reserved = []
    for _, symbol, side, quantity, price, _, _, executed in (row for row in rows if row[0] == "reserved"):
        remaining = quantity - (executed or Decimal("0"))
        if remaining > 0:
            reserved.append(Holding(symbol, side, remaining, price))
    return day, portfolio_value_of(rows), tuple(reserved)


def portfolio_read(*, now: datetime) -> tuple[PortfolioValue, tuple[Holding, ...]]:
    """The positions marked to market, and the approved entries not in them yet (one snapshot)."""
    _, value, reserved = _book_snapshot(now=now)
    return value, reserved


def _activity(*, now: datetime, signal: Signal | None, side: str, duplicate_window_seconds: int) -> dict[str, int]:
    """What the count rules judge, in one query over the approved decisions:
    entries: approved entries since 00:00 UTC; orders: approved decisions (entries and exits) in the
    last minute; duplicates: approved entries of this signal's strategy, symbol and side in the
    duplicate window, other than this signal's."""
    midnight, minute_ago = utc_midnight(now), now - RATE_WINDOW
    counts = {
        "entries": Count("pk", filter=Q(reduce_only=False, created_at__gte=midnight)),
        "orders": Count("pk", filter=Q(created_at__gte=minute_ago)),
    }
    since = min(midnight, minute_ago)
    if signal is not None and duplicate_window_seconds > 0 and side:
        window_start = now - timedelta(seconds=duplicate_window_seconds)
        since = min(since, window_start)
        same = Q(reduce_only=False, symbol=signal.symbol, side=side, signal__strategy_id=signal.strategy_id,
                 created_at__gte=window_start) & ~Q(signal_id=signal.pk)  # fmt: skip
        counts["duplicates"] = Count("pk", filter=same)
    found = RiskDecision.objects.filter(approved=True, created_at__gte=since).aggregate(**counts)
    return {"duplicates": 0, **found}


def _book_of(
    *, state: RiskState, now: datetime, signal: Signal | None, side: str, duplicate_window_seconds: int
) -> tuple[Book, PortfolioDay, PortfolioValue]:
    day, value, reserved = _book_snapshot(now=now)
    activity = _activity(now=now, signal=signal, side=side, duplicate_window_seconds=duplicate_window_seconds)
    book = Book(
        equity=value.equity,
        start_of_day_equity=day.start_equity,
        loss_baseline_equity=day.loss_baseline_equity,
        open=value.open,
        reserved=reserved,
        entries_today=activity["entries"],
        orders_last_minute=activity["orders"],
        duplicates_in_window=activity["duplicates"],
        mode=state.mode,
        breaker_tripped=state.breaker_tripped,
    )
    return book, day, value


def book_read(
    *,
    state: RiskState,
    now: datetime,
    signal: Signal | None = None,
    side: str = "",
    duplicate_window_seconds: int = 0,
) -> Book:
    """The book as of now. Call under the portfolio lock when an entry will be judged on it."""
    book, _, _ = _book_of(
        state=state, now=now, signal=signal, side=side, duplicate_window_seconds=duplicate_window_seconds
    )
    return book


# The config parameters the gate enforces, shown as "limits in force" on the status page.
LIMIT_PARAMETERS = (
    "enabled", "enable_longs", "enable_shorts", "allowed_symbols", "trading_windows", "min_confidence_threshold",
    "max_signal_age_seconds", "duplicate_signal_window_seconds", "position_size_pct", "max_position_size_usd",
    "min_position_size_usd", "leverage", "max_leverage", "max_portfolio_exposure_pct", "max_concurrent_positions",
    "max_positions_per_symbol", "max_daily_trades", "max_daily_loss_pct", "max_orders_per_minute",
)  # fmt: skip


def risk_status_read(*, config: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The kill switch, the breaker, today's P&L, exposure and the global limits, for operators."""
    state = RiskState.objects.filter(pk=1).first() or RiskState(pk=1)
    # The value and the day come from the book's own read (one snapshot, not three reads).
    book, day, value = _book_of(state=state, now=now, signal=None, side="", duplicate_window_seconds=0)
    hundred = Decimal("100")
    loss_limit = Decimal(config["max_daily_loss_pct"]) / hundred * day.start_equity
    exposure_cap = Decimal(config["max_portfolio_exposure_pct"]) / hundred * book.equity
    reserved = sum((h.notional for h in book.reserved), Decimal("0"))
    return {
        "mode": state.effective_mode,
        "entries_allowed": state.effective_mode == "active",
        "kill_switch": {
            "mode": state.mode, "reason": state.reason, "changed_by": state.changed_by, "changed_at": state.changed_at,
        },
        "breaker": {
            "tripped": state.breaker_tripped, "tripped_at": state.breaker_tripped_at, "detail": state.breaker_detail,
            "rearmed_by": state.breaker_rearmed_by, "rearmed_at": state.breaker_rearmed_at,
            "rearm_reason": state.breaker_rearm_reason,
        },
        "today": {
            "day": day.day, "start_of_day_equity": day.start_equity, "equity": book.equity,
            "pnl": book.daily_pnl,
            "pnl_pct": (book.daily_pnl / day.start_equity * hundred) if day.start_equity else Decimal("0"),
            "realized_pnl": value.realized_pnl - day.start_realized_pnl,
            "loss_baseline_equity": day.loss_baseline_equity, "loss_limit": loss_limit,
            "entries": book.entries_today, "orders_last_minute": book.orders_last_minute,
        },
        "exposure": {
            "open": value.exposure, "reserved": reserved, "total": book.exposure, "cap": exposure_cap,
            "pct_of_equity": (book.exposure / book.equity * hundred) if book.equity > 0 else None,
            "open_positions": len(value.open), "reserved_entries": len(book.reserved),
            "positions": [
                {"symbol": h.symbol, "side": h.side, "quantity": h.quantity, "mark_price": h.price,
                 "notional": h.notional}
                for h in value.open
            ],
        },
        "limits": {name: config.get(name) for name in LIMIT_PARAMETERS},
    }  # fmt: skip
