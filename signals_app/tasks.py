"""Celery interface for the signals stage: ids in, services do the work."""

from __future__ import annotations

from celery import shared_task

from signals_app.services.aggregation import signal_aggregate


@shared_task(name="signals.process_signal", acks_late=True)
def process_signal(signal_id: int) -> None:
    signal_aggregate(signal_id=signal_id)


# The built-in strategy engine's task, registered wherever this module is imported.
from signals_app.engine.tasks import strategies_on_tick  # noqa: E402, F401
