"""The kill switch: active, reduce-only or halted."""

from __future__ import annotations

from django.db import transaction

from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.errors import InvalidInput
from risk_app.models import RiskState, TradingMode


def risk_state_get() -> RiskState:
    state, _ = RiskState.objects.get_or_create(pk=1)
    return state


@transaction.atomic
def risk_set_mode(*, mode: str, actor: str, reason: str) -> RiskState:
    if mode not in TradingMode.values:
        raise InvalidInput(f"mode must be one of {', '.join(TradingMode.values)}", fields={"mode": ["Invalid mode."]})
    if not reason.strip():
        raise InvalidInput("A reason is required.", fields={"reason": ["This field is required."]})
    risk_state_get()
    state = RiskState.objects.select_for_update().get(pk=1)
    before = state.mode
    state.mode, state.reason, state.changed_by = mode, reason, actor
    state.save()
    audit_record(
        kind="risk.mode_changed",
        entity_type="risk_state",
        entity_id=state.pk,
        actor=actor,
        data={"before": before, "after": mode, "reason": reason},
    )
    broadcast_on_commit("risk_state", {"mode": mode, "reason": reason, "changed_by": actor})
    return state
