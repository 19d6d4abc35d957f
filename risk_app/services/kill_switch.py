"""The kill switch (active, reduce-only, halted) and the daily-loss circuit breaker.

The operator's mode and the breaker are separate: the breaker trips on its
own when today's loss reaches max_daily_loss_pct, and stays tripped, across
a new UTC day too, until an operator re-arms it with a reason. Entries need
an active mode and an armed breaker; exits always go through.

Lock order, everywhere: PortfolioDay (opened first) before the RiskState row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.errors import Conflict, InvalidInput
from risk_app.models import PortfolioDay, RiskState, TradingMode
from risk_app.services.portfolio import portfolio_day_open, portfolio_snapshot, portfolio_value
from risk_app.services.rules.state import daily_loss_breached, daily_loss_limit

BREAKER_ACTOR = "risk_gate"


def risk_state_get() -> RiskState:
    state = RiskState.objects.filter(pk=1).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return RiskState.objects.create(pk=1)
    except IntegrityError:  # created by a concurrent caller
        return RiskState.objects.get(pk=1)


def _locked_state() -> RiskState:
    """Lock and read the row in one query (it exists but on a fresh database)."""
    state = RiskState.objects.select_for_update().filter(pk=1).first()
    if state is not None:
        return state
    risk_state_get()
    return RiskState.objects.select_for_update().get(pk=1)


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("A reason is required.", fields={"reason": ["This field is required."]})
    return reason.strip()


def _broadcast(state: RiskState) -> None:
    broadcast_on_commit(
        "risk_state",
        {"mode": state.effective_mode, "kill_switch": state.mode, "reason": state.reason,
         "changed_by": state.changed_by, "breaker_tripped": state.breaker_tripped},
    )  # fmt: skip


@transaction.atomic
def risk_set_mode(*, mode: str, actor: str, reason: str) -> RiskState:
    """Set the kill switch. Setting the mode it already has is allowed (and audited):
    an operator halting in an emergency must never be refused."""
    if mode not in TradingMode.values:
        raise InvalidInput(f"mode must be one of {', '.join(TradingMode.values)}", fields={"mode": ["Invalid mode."]})
    reason = _require_reason(reason)
    state = _locked_state()
    before = state.mode
    state.mode, state.reason, state.changed_by = mode, reason, actor
    state.save(update_fields=["mode", "reason", "changed_by", "changed_at"])
    audit_record(
        kind="risk.mode_changed",
        entity_type="risk_state",
        entity_id=state.pk,
        actor=actor,
        data={"before": before, "after": mode, "reason": reason, "breaker_tripped": state.breaker_tripped,
              "effective_mode": state.effective_mode},
    )  # fmt: skip
    _broadcast(state)
    return state


@transaction.atomic
def risk_breaker_trip(*, detail: dict[str, Any], actor: str = BREAKER_ACTOR) -> RiskState:
    """Trip the breaker (idempotent: a tripped breaker stays as it was tripped)."""
    state = _locked_state()
    if state.breaker_tripped:
        return state
    state.breaker_tripped = True
    state.breaker_tripped_at = timezone.now()
    state.breaker_detail = {key: str(value) for key, value in detail.items()}
    state.save(update_fields=["breaker_tripped", "breaker_tripped_at", "breaker_detail"])
    audit_record(
        kind="risk.breaker_tripped",
        entity_type="risk_state",
        entity_id=state.pk,
        actor=actor,
        data={"reason": "daily_loss_breaker", "mode_before": state.mode, "effective_mode": state.effective_mode,
              **detail},
    )  # fmt: skip
    _broadcast(state)
    return state


@transaction.atomic
def risk_breaker_rearm(*, actor: str, reason: str) -> RiskState:
    """Re-arm a tripped breaker. Today's loss is then measured from the equity
    at this moment, so the loss that tripped it does not trip it again at once."""
    reason = _require_reason(reason)
    day = portfolio_day_open()
    state = _locked_state()
    if not state.breaker_tripped:
        raise Conflict("The daily-loss breaker is not tripped.", code="breaker_not_tripped")
    equity = portfolio_value().equity
    PortfolioDay.objects.filter(pk=day.pk).update(loss_baseline_equity=equity)
    state.breaker_tripped = False
    state.breaker_rearmed_by, state.breaker_rearmed_at, state.breaker_rearm_reason = actor, timezone.now(), reason
    state.save(update_fields=["breaker_tripped", "breaker_rearmed_by", "breaker_rearmed_at", "breaker_rearm_reason"])
    audit_record(
        kind="risk.breaker_rearmed",
        entity_type="risk_state",
        entity_id=state.pk,
        actor=actor,
        data={"reason": reason, "tripped_at": state.breaker_tripped_at, "tripped_detail": state.breaker_detail,
              "loss_baseline_equity": equity, "effective_mode": state.effective_mode},
    )  # fmt: skip
    _broadcast(state)
    return state


def risk_breaker_trip_if_breached(*, max_daily_loss_pct: Decimal, actor: str = BREAKER_ACTOR) -> bool:
    """Trip the breaker if today's loss reached the limit; True when the loss reached it.
    Called after every fill, so losing fills stop entries before the next signal."""
    day, value = portfolio_snapshot()
    equity = value.equity
    breached = daily_loss_breached(
        equity=equity,
        loss_baseline_equity=day.loss_baseline_equity,
        start_of_day_equity=day.start_equity,
        max_daily_loss_pct=max_daily_loss_pct,
    )
    if not breached:
        return False
    limit = daily_loss_limit(max_daily_loss_pct=max_daily_loss_pct, start_of_day_equity=day.start_equity)
    risk_breaker_trip(
        detail={"day": day.day.isoformat(), "daily_pnl": equity - day.start_equity, "equity": equity,
                "start_of_day_equity": day.start_equity, "loss_baseline_equity": day.loss_baseline_equity,
                "max_daily_loss_pct": max_daily_loss_pct, "limit": limit},
        actor=actor,
    )  # fmt: skip
    return True


def risk_breaker_check(*, max_daily_loss_pct: Decimal, actor: str = BREAKER_ACTOR) -> bool:
    """Trip the breaker if today's loss reached the limit; True when it is tripped (now or before)."""
    if risk_breaker_trip_if_breached(max_daily_loss_pct=max_daily_loss_pct, actor=actor):
        return True
    return risk_state_get().breaker_tripped
