"""Celery interface for the signals stage: ids in, services do the work."""

from __future__ import annotations

from celery import shared_task

from signals_app.services.aggregation import signal_aggregate


@shared_task(name="signals.process_signal", acks_late=True)
def process_signal(signal_id: int) -> None:
    signal_aggregate(signal_id=signal_id)
