"""Celery interface for execution, plus the sweeper that spans every stage."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from execution_app.services.orders import order_reconcile, order_submit
from execution_app.services.pipeline import signal_execute, symbol_hand_on
from execution_app.services.sweep import orders_requeue_stuck
from signals_app.services.review import signals_expire_unreviewed
from signals_app.services.sweep import signals_requeue_stuck
from signals_app.signing import signature_nonces_prune


@shared_task(name="execution.execute_signal", acks_late=True)
def execute_signal(signal_id: int) -> None:
    signal_execute(signal_id=signal_id)


@shared_task(name="execution.submit_order", acks_late=True)
def submit_order(order_id: int) -> None:
    order = order_submit(order_id=order_id)
    symbol_hand_on(symbol=order.symbol)


@shared_task(name="execution.reconcile_order", acks_late=True)
def reconcile_order(order_id: int) -> None:
    order = order_reconcile(order_id=order_id)
    symbol_hand_on(symbol=order.symbol)


@shared_task(name="petrosa.sweep_stuck_work")
def sweep_stuck_work() -> int:
    stale = settings.SWEEP_STALE_AFTER_SECONDS
    signals_expire_unreviewed()
    signature_nonces_prune()
    return signals_requeue_stuck(older_than_seconds=stale) + orders_requeue_stuck(older_than_seconds=stale)
