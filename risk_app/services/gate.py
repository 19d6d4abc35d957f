"""The risk gate: every trade passes here before an order can exist.

risk_evaluate reads the book, runs the pure rules (risk_app.services.rules)
and records one RiskDecision with every verdict, in one transaction. For an
entry it first takes the portfolio-wide lock, so the count, exposure and
daily-trade checks of concurrent workers run one after another, each seeing
the entries the others approved (they are reservations from the moment they
are recorded). Closes and reduce-only trades skip the lock and pass every
rule, even with the kill switch on or the breaker tripped.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.locks import lock_for_transaction
from risk_app.intent import SizingFailure, TradeIntent
from risk_app.models import RiskDecision
from risk_app.selectors import book_read
from risk_app.services.kill_switch import risk_breaker_trip, risk_state_get
from risk_app.services.rules import Book, Candidate, Limits, first_failure, rules_evaluate
from risk_app.services.rules.state import book_breaches_daily_loss, daily_loss_limit
from signals_app.models import Signal

# The same name execution's pipeline locks, so nesting is harmless (PostgreSQL
# advisory locks are re-entrant within a session).
PORTFOLIO_LOCK = "portfolio"
ZERO = Decimal("0")


def _candidate(signal: Signal, intent: TradeIntent | SizingFailure) -> Candidate:
    confidence = signal.effective_confidence if signal.effective_confidence is not None else signal.confidence
    return Candidate(
        strategy=signal.strategy.name,
        symbol=signal.symbol,
        confidence=confidence,
        signal_time=signal.signal_timestamp,
        intent=intent,
    )


def _trip_if_breached(limits: Limits, book: Book) -> None:
    if book.breaker_tripped or not book_breaches_daily_loss(limits, book):
        return
    risk_breaker_trip(
        detail={
            "daily_pnl": book.daily_pnl,
            "equity": book.equity,
            "start_of_day_equity": book.start_of_day_equity,
            "loss_baseline_equity": book.loss_baseline_equity,
            "max_daily_loss_pct": limits.max_daily_loss_pct,
            "limit": daily_loss_limit(
                max_daily_loss_pct=limits.max_daily_loss_pct, start_of_day_equity=book.start_of_day_equity
            ),
        }
    )


@transaction.atomic
def risk_evaluate(
    *,
    signal: Signal,
    intent: TradeIntent | SizingFailure,
    config: dict[str, Any],
    now: datetime | None = None,
) -> RiskDecision:
    """Judge one trade and record the RiskDecision (with its audit row)."""
    now = now or timezone.now()
    candidate = _candidate(signal, intent)
    trade = candidate.trade
    limits = Limits.from_config(config, market=settings.EXCHANGE_MARKET)
    if candidate.reduce_only:
        book = Book(equity=ZERO, start_of_day_equity=ZERO, loss_baseline_equity=ZERO)  # no rule reads it
    else:
        lock_for_transaction(PORTFOLIO_LOCK)
        book = book_read(
            state=risk_state_get(),
            now=now,
            signal=signal,
            side=trade.side if trade else "",
            duplicate_window_seconds=limits.duplicate_window_seconds,
        )
        _trip_if_breached(limits, book)
    verdicts = rules_evaluate(candidate, limits, book, now)
    failed = first_failure(verdicts)
    decision = RiskDecision.objects.create(
        signal=signal,
        approved=failed is None,
        reason_code=failed.code if failed else "approved",
        verdicts=[asdict(v) for v in verdicts],
        symbol=signal.symbol,
        side=trade.side if trade else "",
        position_side=trade.position_side if trade else "",
        quantity=trade.quantity if trade else None,
        price=trade.price if trade else None,
        notional=trade.notional if trade else None,
        reduce_only=candidate.reduce_only,
        created_at=now,
    )
    audit_record(
        kind="risk.approved" if decision.approved else "risk.rejected",
        entity_type="risk_decision",
        entity_id=decision.pk,
        actor="risk_gate",
        correlation_id=signal.correlation_id,
        data={"signal_id": signal.pk, "reason_code": decision.reason_code, "verdicts": decision.verdicts},
    )
    return decision
