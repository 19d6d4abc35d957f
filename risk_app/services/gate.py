"""The risk gate: every trade passes here before an order can exist.

Every rule is evaluated and recorded, not just the first failure, so an
operator can see at a glance everything that was wrong with a signal. Closes
and reduce-only trades always pass: cutting risk is never blocked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from risk_app.intent import SizingFailure, TradeIntent
from risk_app.models import RiskDecision, TradingMode
from risk_app.services.kill_switch import risk_state_get
from signals_app.models import Signal


@dataclass(frozen=True)
class Verdict:
    rule: str
    passed: bool
    code: str
    detail: str


def _kill_switch(intent: TradeIntent | None) -> Verdict:
    mode = risk_state_get().mode
    if mode == TradingMode.ACTIVE:
        return Verdict("kill_switch", True, "ok", "trading is active")
    if intent is not None and intent.reduce_only:
        return Verdict("kill_switch", True, "ok", f"{mode}: reduce-only trades still pass")
    code = "kill_switch_halted" if mode == TradingMode.HALTED else "kill_switch_reduce_only"
    return Verdict("kill_switch", False, code, f"trading mode is {mode}: new entries are refused")


def _enabled(config: dict[str, Any], reduce_only: bool) -> Verdict:
    if config["enabled"] or reduce_only:
        return Verdict("enabled", True, "ok", "trading enabled for this scope")
    return Verdict("enabled", False, "trading_disabled", "enabled=false in the trading config")


def _min_confidence(signal: Signal, config: dict[str, Any], reduce_only: bool) -> Verdict:
    """Judged on the confidence after the processing mode (ml_light blends in model_confidence)."""
    threshold: Decimal = config["min_confidence_threshold"]
    confidence = signal.effective_confidence if signal.effective_confidence is not None else signal.confidence
    if reduce_only or confidence >= threshold:
        return Verdict("min_confidence", True, "ok", f"confidence {confidence} >= {threshold}")
    return Verdict("min_confidence", False, "confidence_below_threshold", f"confidence {confidence} < {threshold}")


def _signal_age(signal: Signal, config: dict[str, Any], now: datetime, reduce_only: bool) -> Verdict:
    limit = int(config["max_signal_age_seconds"])
    age = (now - signal.signal_timestamp).total_seconds()
    if reduce_only or age <= limit:
        return Verdict("max_signal_age", True, "ok", f"age {age:.1f}s <= {limit}s")
    return Verdict("max_signal_age", False, "signal_too_old", f"age {age:.1f}s > {limit}s")


def _sizing(intent: TradeIntent | SizingFailure) -> Verdict:
    if isinstance(intent, SizingFailure):
        return Verdict("sizing", False, intent.code, intent.detail)
    return Verdict("sizing", True, "ok", f"{intent.side} {intent.quantity} @ {intent.price}")


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
    trade = intent if isinstance(intent, TradeIntent) else None
    reduce_only = bool(trade and trade.reduce_only)
    verdicts = [
        _sizing(intent),
        _kill_switch(trade),
        _enabled(config, reduce_only),
        _min_confidence(signal, config, reduce_only),
        _signal_age(signal, config, now, reduce_only),
    ]
    failed = next((v for v in verdicts if not v.passed), None)
    decision = RiskDecision.objects.create(
        signal=signal,
        approved=failed is None,
        reason_code=failed.code if failed else "approved",
        verdicts=[asdict(v) for v in verdicts],
        side=trade.side if trade else "",
        position_side=trade.position_side if trade else "",
        quantity=trade.quantity if trade else None,
        price=trade.price if trade else None,
        notional=trade.notional if trade else None,
        reduce_only=reduce_only,
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
