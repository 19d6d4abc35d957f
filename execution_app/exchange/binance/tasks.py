"""Celery interface of reconciliation with the exchange (beat: ``reconcile-exchange``)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(name="execution.reconcile_exchange", acks_late=True, time_limit=120, soft_time_limit=100)
def reconcile_exchange() -> str:
    """One scheduled reconciliation run on testnet/live; paper has nothing to reconcile."""
    if settings.TRADING_MODE == "paper":
        return "paper"
    from execution_app.exchange import exchange_for_mode
    from execution_app.services.reconciliation import reconciliation_run

    run = reconciliation_run(exchange=exchange_for_mode(), trigger="schedule")  # type: ignore[arg-type]
    return f"run {run.pk}: {run.status}, {run.differences_found} difference(s)"
