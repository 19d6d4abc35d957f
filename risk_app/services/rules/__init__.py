"""The gate's rules as pure functions over a Candidate, its Limits and the Book.

Every rule is evaluated and recorded, not just the first failure, so an
operator sees everything that was wrong with a signal. A reduce-only trade
(a close) passes every rule, the kill switch and the breaker included:
cutting risk is never blocked. The decision's reason code is the first
failing verdict's code, in the order of RULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from risk_app.intent import SizingFailure
from risk_app.services.rules import book as book_rules
from risk_app.services.rules import signal as signal_rules
from risk_app.services.rules import state as state_rules
from risk_app.services.rules.facts import Book, Candidate, Holding, Limits
from risk_app.services.rules.verdict import Verdict, ok, refuse

__all__ = [
    "Book", "Candidate", "Holding", "Limits", "RULES", "REASON_CODES", "Verdict", "rules_evaluate", "first_failure",
]  # fmt: skip


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[..., Verdict]
    needs_trade: bool  # judged on the sized order, so skipped when sizing failed


RULES: tuple[Rule, ...] = (
    Rule("kill_switch", state_rules.kill_switch, False),
    Rule("daily_loss_breaker", state_rules.daily_loss_breaker, False),
    Rule("enabled", signal_rules.enabled, False),
    Rule("side_enabled", signal_rules.side_enabled, True),
    Rule("allowed_symbols", signal_rules.allowed_symbols, False),
    Rule("trading_window", signal_rules.trading_window, False),
    Rule("min_confidence", signal_rules.min_confidence, False),
    Rule("max_signal_age", signal_rules.max_signal_age, False),
    Rule("duplicate_signal", signal_rules.duplicate_signal, False),
    Rule("position_size", book_rules.position_size, True),
    Rule("leverage", book_rules.leverage, True),
    Rule("max_portfolio_exposure", book_rules.max_portfolio_exposure, True),
    Rule("max_concurrent_positions", book_rules.max_concurrent_positions, True),
    Rule("max_positions_per_symbol", book_rules.max_positions_per_symbol, True),
    Rule("max_daily_trades", book_rules.max_daily_trades, True),
    Rule("order_rate", book_rules.order_rate, True),
)

# Every code a rule can refuse with (sizing adds unknown_symbol, no_price,
# no_position, order_type_not_supported and filter_<name>).
REASON_CODES: tuple[str, ...] = (
    "kill_switch_halted", "kill_switch_reduce_only", "daily_loss_breaker", "trading_disabled", "longs_disabled",
    "shorts_disabled", "symbol_not_allowed", "outside_trading_window", "confidence_below_threshold",
    "signal_too_old", "duplicate_signal", "position_size_above_max", "position_size_below_min",
    "position_size_above_pct_of_equity", "leverage_above_max", "exposure_limit_exceeded",
    "max_concurrent_positions_reached", "max_positions_per_symbol_reached", "max_daily_trades_reached",
    "order_rate_limited",
)  # fmt: skip


def _sizing(candidate: Candidate) -> Verdict:
    intent = candidate.intent
    if isinstance(intent, SizingFailure):
        return refuse("sizing", intent.code, intent.detail)
    return ok("sizing", f"{intent.side} {intent.quantity} @ {intent.price}")


def rules_evaluate(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> list[Verdict]:
    """Every rule's verdict on one trade, sizing first."""
    verdicts = [_sizing(candidate)]
    trade = candidate.trade
    for rule in RULES:
        if candidate.reduce_only:
            verdicts.append(ok(rule.name, "reduce-only: cutting risk is always allowed"))
        elif rule.needs_trade and trade is None:
            verdicts.append(Verdict(rule.name, True, "skipped", "no order to judge: sizing failed"))
        else:
            args: tuple[Any, ...] = (trade,) if rule.needs_trade else ()
            verdicts.append(rule.check(*args, candidate, limits, book, now))
    return verdicts


def first_failure(verdicts: list[Verdict]) -> Verdict | None:
    return next((v for v in verdicts if not v.passed), None)
