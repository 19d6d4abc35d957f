"""Writing the audit trail. Call inside the transaction of the change it records."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from petrosa.core.metrics.audit_feed import metrics_audit_observe
from petrosa.core.models import AuditEvent


class _AuditEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)  # keep every digit; floats would round money
        return super().default(o)


def audit_payload(data: dict[str, Any] | None) -> dict[str, Any]:
    """What audit_record stores as data; for callers that insert the event themselves
    (and then call metrics_audit_observe, as audit_record does)."""
    return json.loads(json.dumps(data or {}, cls=_AuditEncoder))


def audit_record(
    *,
    kind: str,
    entity_type: str,
    entity_id: object,
    actor: str,
    data: dict[str, Any] | None = None,
    correlation_id: str = "",
) -> AuditEvent:
    payload = audit_payload(data)
    event = AuditEvent.objects.create(
        kind=kind,
        entity_type=entity_type,
        entity_id=str(entity_id),
        actor=actor,
        correlation_id=correlation_id,
        data=payload,
    )
    metrics_audit_observe(event)  # counters follow the trail, after commit (petrosa/core/metrics/audit_feed.py)
    return event
