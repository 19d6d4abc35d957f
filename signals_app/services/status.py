"""Moving a signal through its statuses. Every transition is conditional on the
status the caller saw, and audited in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.money import decimal_str
from signals_app.models import Signal, SignalStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    SignalStatus.RECEIVED: frozenset(
        {SignalStatus.ACCEPTED, SignalStatus.HELD, SignalStatus.REJECTED, SignalStatus.PENDING_REVIEW}
    ),
    SignalStatus.PENDING_REVIEW: frozenset({SignalStatus.ACCEPTED, SignalStatus.REJECTED, SignalStatus.EXPIRED}),
    SignalStatus.ACCEPTED: frozenset({SignalStatus.ORDERED, SignalStatus.REJECTED}),
}


class StaleTransition(Exception):
    """The signal was no longer in the expected status: someone else moved it."""


def signal_transition(
    *,
    signal: Signal,
    to: str,
    reason: str,
    actor: str = "system",
    data: dict[str, Any] | None = None,
) -> Signal:
    if to not in ALLOWED_TRANSITIONS.get(signal.status, frozenset()):
        raise StaleTransition(f"signal {signal.pk}: {signal.status} -> {to} is not allowed")
    # No savepoint: a failure here fails the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False):
        updated = Signal.objects.filter(pk=signal.pk, status=signal.status).update(status=to, status_reason=reason)
        if updated == 0:
            raise StaleTransition(f"signal {signal.pk} left status {signal.status} before {to}")
        previous, signal.status, signal.status_reason = signal.status, to, reason
        audit_record(
            kind=f"signal.{to}",
            entity_type="signal",
            entity_id=signal.pk,
            actor=actor,
            correlation_id=signal.correlation_id,
            data={"from": previous, "reason": reason, **(data or {})},
        )
        broadcast_on_commit(
            "signal",
            {
                "id": signal.pk,
                "strategy": signal.strategy.name,
                "symbol": signal.symbol,
                "action": signal.action,
                "confidence": decimal_str(signal.confidence),
                "status": to,
                "reason": reason,
            },
        )
    return signal
