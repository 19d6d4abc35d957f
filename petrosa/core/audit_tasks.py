"""Celery interface for the audit hash chain: beat seals new events every few seconds."""

from __future__ import annotations

from celery import shared_task

from petrosa.core.audit_chain import audit_seal

SEAL_AUDIT_TASK = "petrosa.seal_audit"


@shared_task(name=SEAL_AUDIT_TASK, ignore_result=True, time_limit=120, soft_time_limit=100)
def seal_audit() -> int:
    return audit_seal()
