"""Manual orders and closes from operators: signals from the ``manual`` strategy.

Nothing reaches an exchange without a RiskDecision, so an operator's order is
not sent directly: it becomes a Signal (source ``manual``, the operator as the
audit actor) and takes the same road as every strategy's signal: intake,
aggregation, the risk gate, execution. The ``manual`` strategy's API key is
generated and never shown, so nobody can send as it over the strategy API.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from petrosa.core.errors import Conflict
from signals_app.models import Source, Strategy
from signals_app.serializers import SignalInputSerializer
from signals_app.services.intake import IntakeResult, signal_intake
from signals_app.services.strategies import strategy_create

MANUAL_STRATEGY = "manual"


def manual_strategy() -> Strategy:
    existing = Strategy.objects.filter(name=MANUAL_STRATEGY).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            strategy, _ = strategy_create(
                name=MANUAL_STRATEGY, description="Operators' manual orders and closes", actor="system"
            )
    except (Conflict, IntegrityError):  # another request created it first
        strategy = Strategy.objects.get(name=MANUAL_STRATEGY)
    return strategy


def manual_signal_submit(
    *, data: dict[str, Any], actor: str, idempotency_key: str | None = None, correlation_id: str | None = None
) -> IntakeResult:
    """``data`` is a validated signal payload (SignalInputSerializer); ``actor`` is
    ``user:<username>``. Returns the intake result (a replayed key returns the first)."""
    return signal_intake(
        strategy=manual_strategy(),
        data=data,
        idempotency_key=idempotency_key,
        source=Source.MANUAL,
        actor=actor,
        correlation_id=correlation_id,
    )


def position_close_request(*, symbol: str, position_side: str, actor: str, reason: str) -> IntakeResult:
    """An operator's "close position": a manual ``close`` signal for one side
    (reduce-only, so the gate lets it through even with the kill switch on)."""
    serializer = SignalInputSerializer(
        data={
            "symbol": symbol,
            "action": "close",
            "confidence": "1",
            "rationale": reason,
            "meta": {"position_side": position_side, "requested_by": actor},
        }
    )
    serializer.is_valid(raise_exception=True)
    return manual_signal_submit(data=serializer.validated_data, actor=actor)
