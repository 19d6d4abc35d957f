"""Signal intake: the one door every signal comes through (REST, NATS, admin, AI ideas).

A signal is saved with its audit row atomically (one statement, see
intake_write.py) and handed to aggregation only after that commits. Retries
are idempotent: the database enforces one signal per (strategy, idempotency key).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from petrosa.core.audit import audit_payload
from petrosa.core.errors import Forbidden, Unprocessable
from petrosa.core.handoff import enqueue_on_commit
from petrosa.core.logging import correlation_id_get
from petrosa.core.metrics.audit_feed import metrics_audit_observe
from petrosa.core.models import AuditEvent
from signals_app.models import Signal, Source, Strategy
from signals_app.services.intake_write import signal_with_audit_insert

PROCESS_SIGNAL_TASK = "signals.process_signal"


@dataclass(frozen=True)
class IntakeResult:
    signal: Signal
    created: bool  # False: an earlier request with the same idempotency key made it


def request_fingerprint(payload: dict[str, Any]) -> str:
    """sha256 over the payload in canonical form, so key order and 1.0 vs 1.00 don't matter."""

    def canonical(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, dict):
            return {key: canonical(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [canonical(item) for item in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    encoded = json.dumps(canonical(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def signal_intake(
    *,
    strategy: Strategy,
    data: dict[str, Any],
    idempotency_key: str | None = None,
    source: str = Source.API,
    actor: str | None = None,
    correlation_id: str | None = None,
) -> IntakeResult:
    """Save a validated signal (SignalInputSerializer.validated_data) and hand it on.

    Raises Forbidden if the payload names another strategy, Unprocessable if
    the idempotency key was used before with a different payload.
    """
    claimed = data.get("strategy_id")
    if claimed and claimed != strategy.name:
        raise Forbidden(
            f"This key belongs to strategy {strategy.name!r}; it cannot send signals for {claimed!r}.",
            code="strategy_mismatch",
        )
    key = idempotency_key or data.get("signal_id")
    fingerprint = request_fingerprint({k: v for k, v in data.items() if k != "signal_id"})
    fields = {k: v for k, v in data.items() if k not in ("strategy_id", "signal_id", "timestamp")}
    for text_field in ("llm_reasoning", "rationale"):
        fields[text_field] = fields.get(text_field) or ""
    fields["conditional_direction"] = fields.get("conditional_direction") or ""
    signal = Signal(
        strategy=strategy,
        source=source,
        idempotency_key=key,
        request_hash=fingerprint,
        correlation_id=correlation_id or correlation_id_get() or uuid.uuid4().hex,
        signal_timestamp=data.get("timestamp") or timezone.now(),
        **fields,
    )
    event = AuditEvent(
        kind="signal.received",
        entity_type="signal",
        actor=actor or f"strategy:{strategy.name}",
        correlation_id=signal.correlation_id,
        data=audit_payload({"source": source, "symbol": signal.symbol, "action": signal.action, "payload": data}),
    )
    if signal_with_audit_insert(signal, event):
        metrics_audit_observe(event)  # what audit_record does after its insert
        enqueue_on_commit(PROCESS_SIGNAL_TASK, signal.pk)
        return IntakeResult(signal=signal, created=True)
    return _replay(strategy=strategy, key=key, fingerprint=fingerprint)


def _replay(*, strategy: Strategy, key: str | None, fingerprint: str) -> IntakeResult:
    """The signal an earlier request made with this idempotency key, if it sent the same payload."""
    existing = Signal.objects.filter(strategy=strategy, idempotency_key=key).first() if key is not None else None
    if existing is None:  # only a conflict on the idempotency key may be answered with a replay
        raise IntegrityError(f"Signal insert for strategy {strategy.name!r} conflicted without a matching key.")
    if existing.request_hash != fingerprint:
        raise Unprocessable(
            f"Idempotency key {key!r} was already used with a different payload.",
            code="idempotency_key_reused",
        )
    existing.strategy = strategy  # rendering reads strategy.name: no second query
    return IntakeResult(signal=existing, created=False)
