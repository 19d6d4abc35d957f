"""Aggregation: deciding what a symbol's active signals amount to.

Runs under a per-symbol lock so that, across every worker, the signals of one
symbol are decided one at a time and in the same way as if processed serially.
"""

from __future__ import annotations

from django.db import transaction

from petrosa.core.handoff import enqueue_on_commit
from petrosa.core.locks import lock_for_transaction
from signals_app.models import Action, Signal, SignalStatus
from signals_app.services.status import signal_transition

EXECUTE_SIGNAL_TASK = "execution.execute_signal"


def signal_aggregate(*, signal_id: int) -> Signal | None:
    """Decide one received signal. Safe to call twice: a signal that has left
    RECEIVED is returned untouched. Returns None if the signal is gone."""
    with transaction.atomic():
        symbol = Signal.objects.filter(pk=signal_id).values_list("symbol", flat=True).first()
        if symbol is None:
            return None
        lock_for_transaction(f"aggregate:{symbol}")
        signal = Signal.objects.select_for_update().select_related("strategy").get(pk=signal_id)
        if signal.status != SignalStatus.RECEIVED:
            return signal
        if signal.action == Action.HOLD:
            return signal_transition(signal=signal, to=SignalStatus.HELD, reason="hold_signal")
        signal = signal_transition(signal=signal, to=SignalStatus.ACCEPTED, reason="no_conflict")
        enqueue_on_commit(EXECUTE_SIGNAL_TASK, signal.pk)
        return signal
