"""Counters driven by the audit trail.

Every pipeline step already writes an AuditEvent in its own transaction, so
one hook in `audit_record` counts them all without each service knowing about
metrics. Counting happens after commit: a rolled-back step counts nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db import transaction

from petrosa.core.metrics import definitions as m
from petrosa.core.models import AuditEvent

logger = logging.getLogger(__name__)

FINAL_ORDER_STATUSES = frozenset({"filled", "canceled", "rejected", "expired"})


def metrics_audit_observe(event: AuditEvent) -> None:
    transaction.on_commit(lambda: _count(event), robust=True)


def _label(value: object, default: str = "unknown") -> str:
    text = str(value) if value not in (None, "") else default
    return text[:64]


def _count(event: AuditEvent) -> None:
    kind, data = event.kind, event.data or {}
    m.AUDIT_EVENTS.labels(kind=_label(kind)).inc()
    family, _, name = kind.partition(".")
    if kind == "signal.received":
        source = _label(data.get("source"), "api")
        m.SIGNALS_RECEIVED.labels(source=source).inc()
        if source == "nats":
            m.NATS_MESSAGES.labels(outcome="accepted").inc()
    elif kind == "signal.dead_lettered":
        m.NATS_MESSAGES.labels(outcome="dead_lettered").inc()
        m.ERRORS.labels(type="nats_dead_letter").inc()
    elif family == "signal":
        m.SIGNALS_STATUS.labels(status=_label(name)).inc()
        if name == "rejected":
            m.SIGNALS_REJECTED.labels(reason=_label(data.get("reason"))).inc()
    elif kind in ("risk.approved", "risk.rejected"):
        _count_risk(name, data)
    elif family == "order":
        _count_order(event, name, data)
    elif kind == "fill.recorded":
        m.FILLS.inc()
    elif family == "reconciliation":
        m.RECONCILIATION_DIFFERENCES.labels(category=_label(data.get("category"), name)).inc()


def _count_risk(result: str, data: dict[str, Any]) -> None:
    m.RISK_CHECKS.labels(result=result).inc()
    if result != "rejected":
        return
    failed = [v for v in data.get("verdicts") or [] if isinstance(v, dict) and not v.get("passed", True)]
    if not failed:  # a decision without verdicts still counts, under its reason code
        failed = [{"rule": "unknown", "code": data.get("reason_code")}]
    for verdict in failed:
        m.RISK_REJECTIONS.labels(rule=_label(verdict.get("rule")), reason=_label(verdict.get("code"))).inc()


def _count_order(event: AuditEvent, status: str, data: dict[str, Any]) -> None:
    m.ORDER_STATUS.labels(status=_label(status)).inc()
    if status == "unknown":
        m.ERRORS.labels(type="exchange_outcome_unknown").inc()
    if status not in FINAL_ORDER_STATUSES:
        return
    if status == "rejected":
        m.ERRORS.labels(type="order_rejected").inc()
    order_type, received_at = data.get("order_type") or data.get("type"), None
    try:
        # Read by app label: petrosa.core sits below execution_app and may not import it.
        row = (
            apps.get_model("execution_app", "Order")
            .objects.filter(pk=event.entity_id)
            .values("order_type", "signal__received_at")
            .first()
        )
    except Exception:  # noqa: BLE001 - metrics never fail the step they measure
        logger.warning("metrics: could not read order %s", event.entity_id, exc_info=True)
        row = None
    if row:
        order_type = order_type or row["order_type"]
        received_at = row["signal__received_at"]
    m.TRADES.labels(status=status, type=_label(order_type).lower()).inc()
    if received_at is not None:
        m.LATENCY.labels(status=status).observe(max((event.created_at - received_at).total_seconds(), 0.0))
