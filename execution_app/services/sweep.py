"""Re-enqueueing orders whose task was lost (broker down, worker killed)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from execution_app.models import Order, OrderStatus
from petrosa.core.handoff import enqueue_now

SUBMIT_ORDER_TASK = "execution.submit_order"
RECONCILE_ORDER_TASK = "execution.reconcile_order"


def orders_requeue_stuck(*, older_than_seconds: float, limit: int = 500) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    count = 0
    stuck = Order.objects.filter(updated_at__lt=cutoff).order_by("id")
    for order_id in stuck.filter(status=OrderStatus.PENDING).values_list("id", flat=True)[:limit]:
        count += enqueue_now(SUBMIT_ORDER_TASK, order_id)
    unknown = stuck.filter(status__in=[OrderStatus.SUBMITTING, OrderStatus.UNKNOWN])
    for order_id in unknown.values_list("id", flat=True)[:limit]:
        count += enqueue_now(RECONCILE_ORDER_TASK, order_id)
    return count
