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

from django.db.models import CharField, DecimalField, F, QuerySet, Value

from risk_app.models import MONEY, Position, RiskDecision, RiskState
from risk_app.services.portfolio import (
    PortfolioValue,
    portfolio_day_open,
    portfolio_value,
    portfolio_value_of,
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
MONEY_FIELD = DecimalField(**MONEY)
ROW = ("kind", "symbol_", "side_", "qty", "price_a", "price_b", "realized", "executed")


def _rows(queryset: QuerySet[Any], kind: str, **columns: Any) -> QuerySet[Any]:
    return queryset.order_by().annotate(kind=Value(kind, output_field=CharField()), **columns).values_list(*ROW)


def _book_rows(*, now: datetime) -> list[tuple[Any, ...]]:
    """Positions and reservations in ONE statement, so one snapshot.

    Fills are booked outside the portfolio lock; read in two statements, an
    entry that filled in between would be in neither (reserved no more, in no
    position yet) or in both.
    """
    zero = Value(Decimal("0"), output_field=MONEY_FIELD)
    positions = _rows(Position.objects.all(), "position", symbol_=F("symbol"), side_=F("side"), qty=F("quantity"),
                      price_a=F("avg_entry_price"), price_b=F("mark_price"), realized=F("realized_pnl"), executed=zero)
    entries = RiskDecision.objects.filter(approved=True, reduce_only=False)
    reserved = {"symbol_": F("symbol"), "side_": F("position_side"), "price_a": F("price"), "price_b": F("price"),
                "realized": zero}
    without_order = _rows(
        entries.filter(created_at__gte=now - RESERVATION_WITHOUT_ORDER).exclude(orders__reduce_only=False),
        "reserved", qty=F("quantity"), executed=zero, **reserved,
    )
    in_flight = _rows(
        entries.filter(orders__reduce_only=False, orders__status__in=IN_FLIGHT_ORDER_STATUSES),
        "reserved", qty=F("orders__quantity"), executed=F("orders__executed_quantity"), **reserved,
    )
    return list(positions.union(without_order, in_flight, all=True))


def portfolio_read(*, now: datetime) -> tuple[PortfolioValue, tuple[Holding, ...]]:
    """The positions marked to market, and the approved entries not in them yet (one snapshot)."""
    rows = _book_rows(now=now)
    positions = [row[1:7] for row in rows if row[0] == "position"]
    reserved = []
    for _, symbol, side, quantity, price, _, _, executed in (row for row in rows if row[0] == "reserved"):
        remaining = quantity - (executed or Decimal("0"))
        if remaining > 0:
            reserved.append(Holding(symbol, side, remaining, price))
    return portfolio_value_of(positions), tuple(reserved)


def entries_since(moment: datetime) -> int:
    return RiskDecision.objects.filter(approved=True, reduce_only=False, created_at__gte=moment).count()


def orders_since(moment: datetime) -> int:
    return RiskDecision.objects.filter(approved=True, created_at__gte=moment).count()


def duplicate_entries(*, signal: Signal, side: str, window_seconds: int, now: datetime) -> int:
    """Approved entries of the same strategy, symbol and side in the window, other than this signal's."""
    if window_seconds <= 0 or not side:
        return 0
    return (
        RiskDecision.objects.filter(
            approved=True,
            reduce_only=False,
            symbol=signal.symbol,
            side=side,
            signal__strategy_id=signal.strategy_id,
            created_at__gte=now - timedelta(seconds=window_seconds),
        )
        .exclude(signal_id=signal.pk)
        .count()
    )


def book_read(
    *,
    state: RiskState,
    now: datetime,
    signal: Signal | None = None,
    side: str = "",
    duplicate_window_seconds: int = 0,
) -> Book:
    """The book as of now. Call under the portfolio lock when an entry will be judged on it."""
    day = portfolio_day_open(now=now)
    value, reserved = portfolio_read(now=now)
    duplicates = 0
    if signal is not None:
        duplicates = duplicate_entries(signal=signal, side=side, window_seconds=duplicate_window_seconds, now=now)
    return Book(
        equity=value.equity,
        start_of_day_equity=day.start_equity,
        loss_baseline_equity=day.loss_baseline_equity,
        open=value.open,
        reserved=reserved,
        entries_today=entries_since(utc_midnight(now)),
        orders_last_minute=orders_since(now - RATE_WINDOW),
        duplicates_in_window=duplicates,
        mode=state.mode,
        breaker_tripped=state.breaker_tripped,
    )


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
    book = book_read(state=state, now=now)
    value = portfolio_value()
    day = portfolio_day_open(now=now)
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
