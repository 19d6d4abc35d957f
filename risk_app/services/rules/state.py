"""The operator's kill switch and the daily-loss circuit breaker."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from risk_app.services.rules.facts import HUNDRED, Book, Candidate, Limits
from risk_app.services.rules.verdict import Verdict, ok, refuse

HALTED = "halted"
ACTIVE = "active"


def kill_switch(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    if book.mode == ACTIVE:
        return ok("kill_switch", "trading is active")
    code = "kill_switch_halted" if book.mode == HALTED else "kill_switch_reduce_only"
    return refuse("kill_switch", code, f"trading mode is {book.mode}: new entries are refused")


def daily_loss_limit(*, max_daily_loss_pct: Decimal, start_of_day_equity: Decimal) -> Decimal:
    return max_daily_loss_pct / HUNDRED * start_of_day_equity


def daily_loss_breached(
    *, equity: Decimal, loss_baseline_equity: Decimal, start_of_day_equity: Decimal, max_daily_loss_pct: Decimal
) -> bool:
    """Today's loss, since the start of the day or today's re-arm, reached
    max_daily_loss_pct of the start-of-day equity."""
    limit = daily_loss_limit(max_daily_loss_pct=max_daily_loss_pct, start_of_day_equity=start_of_day_equity)
    return equity - loss_baseline_equity <= -limit


def book_breaches_daily_loss(limits: Limits, book: Book) -> bool:
    return daily_loss_breached(
        equity=book.equity,
        loss_baseline_equity=book.loss_baseline_equity,
        start_of_day_equity=book.start_of_day_equity,
        max_daily_loss_pct=limits.max_daily_loss_pct,
    )


def daily_loss_breaker(candidate: Candidate, limits: Limits, book: Book, now: datetime) -> Verdict:
    limit = daily_loss_limit(max_daily_loss_pct=limits.max_daily_loss_pct, start_of_day_equity=book.start_of_day_equity)
    if book.breaker_tripped:
        return refuse("daily_loss_breaker", "daily_loss_breaker", "the daily-loss breaker is tripped until re-armed")
    if book_breaches_daily_loss(limits, book):
        return refuse(
            "daily_loss_breaker",
            "daily_loss_breaker",
            f"loss {book.equity - book.loss_baseline_equity} reached -{limits.max_daily_loss_pct}% "
            f"of start-of-day equity {book.start_of_day_equity} (-{limit}): the breaker trips",
        )
    return ok("daily_loss_breaker", f"today's P&L {book.daily_pnl} is within -{limit}")
