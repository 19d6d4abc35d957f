"""Finding signals that were committed but never reached the next stage.

A signal acknowledged while the broker was down, or whose task died with its
worker, sits in RECEIVED or ACCEPTED. The sweeper re-enqueues it; the stage
itself is idempotent, so a signal that was in fact in flight is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from petrosa.core.handoff import enqueue_now
from signals_app.models import Signal, SignalStatus
from signals_app.services.aggregation import EXECUTE_SIGNAL_TASK
from signals_app.services.intake import PROCESS_SIGNAL_TASK

_NEXT_TASK = {SignalStatus.RECEIVED: PROCESS_SIGNAL_TASK, SignalStatus.ACCEPTED: EXECUTE_SIGNAL_TASK}


def signals_requeue_stuck(*, older_than_seconds: float, limit: int = 500) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stuck = (
        Signal.objects.filter(status__in=list(_NEXT_TASK), updated_at__lt=cutoff)
        .order_by("id")
        .values_list("id", "status")[:limit]
    )
    count = 0
    for signal_id, status in stuck:
        if enqueue_now(_NEXT_TASK[status], signal_id):
            count += 1
    return count
