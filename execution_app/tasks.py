"""Celery interface for execution, plus the sweeper that spans every stage."""

from __future__ import annotations

from decimal import Decimal

from celery import shared_task
from django.conf import settings

from execution_app.exchange.paper_engine import engine_on_price
from execution_app.services.lifecycle import order_advance, order_changed
from execution_app.services.orders import order_reconcile, order_sync
from execution_app.services.pipeline import signal_execute, symbol_hand_on
from execution_app.services.sweep import orders_requeue_stuck, orders_watch
from petrosa.core.handoff import enqueue_now
from signals_app.services.review import signals_expire_unreviewed
from signals_app.services.sweep import signals_requeue_stuck
from signals_app.signing import signature_nonces_prune


@shared_task(name="execution.execute_signal", acks_late=True)
def execute_signal(signal_id: int) -> None:
    signal_execute(signal_id=signal_id)


@shared_task(name="execution.submit_order", acks_late=True)
def submit_order(order_id: int) -> None:
    order = order_advance(order_id=order_id)
    symbol_hand_on(symbol=order.symbol)


@shared_task(name="execution.reconcile_order", acks_late=True)
def reconcile_order(order_id: int) -> None:
    order = order_reconcile(order_id=order_id)
    order_changed(order)
    symbol_hand_on(symbol=order.symbol)


@shared_task(name="execution.sync_order", acks_late=True)
def sync_order(client_order_id: str) -> None:
    """Refresh one order by client order id (e.g. after the paper exchange filled
    a resting order); new fills are recorded once. Unknown ids are ignored."""
    order_changed(order_sync(client_order_id=client_order_id))


@shared_task(name="execution.paper_on_price")
def paper_on_price(symbol: str, price: str) -> list[str]:
    """A market tick for the paper exchange: fill resting orders and fire triggers
    there, then sync each changed order into ours. Not acks_late: a lost tick is
    superseded by the next one, while a repeated tick would fill a second slice."""
    changed = engine_on_price(symbol, Decimal(price))
    for client_order_id in changed:
        enqueue_now("execution.sync_order", client_order_id)
    return changed


@shared_task(name="execution.watch_orders", acks_late=True)
def watch_orders() -> int:
    """Beat: release or expire held orders, sync live ones, redo skipped follow-ups."""
    return orders_watch()


@shared_task(name="petrosa.sweep_stuck_work")
def sweep_stuck_work() -> int:
    stale = settings.SWEEP_STALE_AFTER_SECONDS
    signals_expire_unreviewed()
    signature_nonces_prune()
    requeued = signals_requeue_stuck(older_than_seconds=stale) + orders_requeue_stuck(older_than_seconds=stale)
    if settings.EMBEDDED:
        orders_watch()  # no beat without Redis: the embedded sweeper thread watches orders too
    return requeued
