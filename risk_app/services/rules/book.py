"""Rules about the order against the book: size, leverage, exposure, counts and rate.

Each compares the book *after* this trade with the limit, and the book
already holds every approved entry that has not filled yet.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from risk_app.intent import TradeIntent
from risk_app.services.rules.facts import HUNDRED, Book, Candidate, Limits, position_key
from risk_app.services.rules.verdict import Verdict, ok, refuse


def size_allowance(limits: Limits, book: Book, step_notional: Decimal = Decimal("0")) -> Decimal:
    """The largest notional one entry may have: position_size_pct of equity scaled the way
    sizing may scale it (quantity_multiplier, leverage on futures), never below the USD floor
    sizing raises to (plus the one quantity step it rounds up by), never above the USD cap."""
    by_equity = book.equity * limits.position_size_pct / HUNDRED * limits.size_multiplier
    return min(limits.max_position_usd, max(by_equity, limits.min_position_usd + step_notional))


def position_size(trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    notional = trade.notional
    if notional > limits.max_position_usd:
        return refuse(
            "position_size", "position_size_above_max", f"notional {notional} > max_position_size_usd "
            f"{limits.max_position_usd}"
        )
    if notional < limits.min_position_usd:
        return refuse(
            "position_size", "position_size_below_min", f"notional {notional} < min_position_size_usd "
            f"{limits.min_position_usd}"
        )
    allowance = size_allowance(limits, book, trade.quantity_step * trade.price)
    if notional > allowance:
        return refuse(
            "position_size",
            "position_size_above_pct_of_equity",
            f"notional {notional} > {limits.position_size_pct}% of equity {book.equity} × {limits.size_multiplier} "
            f"= {allowance}",
        )
    return ok("position_size", f"notional {notional} within [{limits.min_position_usd}, {allowance}]")


def leverage(trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if limits.leverage <= limits.max_leverage:
        return ok("leverage", f"leverage {limits.leverage}x <= max_leverage {limits.max_leverage}x")
    detail = f"leverage {limits.leverage}x > max_leverage {limits.max_leverage}x"
    return refuse("leverage", "leverage_above_max", detail)


def max_portfolio_exposure(
    trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime
) -> Verdict:
    after = book.exposure + trade.notional
    cap = book.equity * limits.max_exposure_pct / HUNDRED
    if after <= cap:
        return ok("max_portfolio_exposure", f"exposure after {after} <= {limits.max_exposure_pct}% of equity = {cap}")
    return refuse(
        "max_portfolio_exposure",
        "exposure_limit_exceeded",
        f"exposure after {after} > {limits.max_exposure_pct}% of equity {book.equity} = {cap}",
    )


def max_concurrent_positions(
    trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime
) -> Verdict:
    keys = book.position_keys(hedge=limits.hedge_mode)
    after = len(keys | {position_key(trade.symbol, trade.position_side, hedge=limits.hedge_mode)})
    if after <= limits.max_concurrent_positions:
        return ok("max_concurrent_positions", f"{after} positions after <= {limits.max_concurrent_positions}")
    return refuse(
        "max_concurrent_positions",
        "max_concurrent_positions_reached",
        f"{len(keys)} positions open or pending; one more would exceed {limits.max_concurrent_positions}",
    )


def max_positions_per_symbol(
    trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime
) -> Verdict:
    keys = {key for key in book.position_keys(hedge=limits.hedge_mode) if key[0] == trade.symbol}
    after = len(keys | {position_key(trade.symbol, trade.position_side, hedge=limits.hedge_mode)})
    if after <= limits.max_positions_per_symbol:
        return ok("max_positions_per_symbol", f"{after} on {trade.symbol} after <= {limits.max_positions_per_symbol}")
    return refuse(
        "max_positions_per_symbol",
        "max_positions_per_symbol_reached",
        f"{len(keys)} positions on {trade.symbol}; a {trade.position_side} would exceed "
        f"{limits.max_positions_per_symbol}",
    )


def max_daily_trades(trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if book.entries_today < limits.max_daily_trades:
        return ok("max_daily_trades", f"entry {book.entries_today + 1} of {limits.max_daily_trades} today (UTC)")
    return refuse(
        "max_daily_trades", "max_daily_trades_reached", f"{book.entries_today} entries today (UTC) already"
    )


def order_rate(trade: TradeIntent, candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if book.orders_last_minute < limits.max_orders_per_minute:
        return ok("order_rate", f"{book.orders_last_minute} orders in the last 60s < {limits.max_orders_per_minute}")
    return refuse(
        "order_rate",
        "order_rate_limited",
        f"{book.orders_last_minute} orders in the last 60s; max_orders_per_minute is {limits.max_orders_per_minute}",
    )
