"""Periodic safety nets for orders: lost hand-offs, live orders, held orders, protection.

* ``orders_requeue_stuck``: orders whose task was lost (broker down, worker
  killed) are re-enqueued: PENDING to be sent, SUBMITTING/UNKNOWN to be
  looked up by client order id.
* ``orders_watch``: held orders are released or expired; live orders whose
  state differs from the exchange's open-order list are synced (a resting
  limit or stop that filled); follow-ups a crash may have skipped are redone
  (protection not armed, an OCO sibling not cancelled, a refused leg not
  retried).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from execution_app.exchange.base import ExchangeOutcomeUnknown
from execution_app.models import LIVE_ORDER_STATUSES, Order, OrderRole, OrderStatus
from execution_app.services.conditional import conditional_orders_check
from execution_app.services.lifecycle import follow_up_run, order_changed, order_follow_up
from execution_app.services.orders import order_sync
from execution_app.services.protective import LEG_CODES
from execution_app.services.venue import venue
from petrosa.core.handoff import enqueue_now

logger = logging.getLogger(__name__)
S = OrderStatus
SUBMIT_ORDER_TASK = "execution.submit_order"
RECONCILE_ORDER_TASK = "execution.reconcile_order"
# Follow-ups are normally done at once by the worker that changed the order;
# only rows older than this are the sweep's business.
FOLLOW_UP_GRACE = timedelta(seconds=5)
# A skipped follow-up is found within seconds; older rows are settled history.
FOLLOW_UP_WINDOW = timedelta(hours=1)


def orders_requeue_stuck(*, older_than_seconds: float, limit: int = 500) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    count = 0
    stuck = Order.objects.filter(updated_at__lt=cutoff).order_by("id")
    for order_id in stuck.filter(status=S.PENDING).values_list("id", flat=True)[:limit]:
        count += enqueue_now(SUBMIT_ORDER_TASK, order_id)
    unknown = stuck.filter(status__in=[S.SUBMITTING, S.UNKNOWN])
    for order_id in unknown.values_list("id", flat=True)[:limit]:
        count += enqueue_now(RECONCILE_ORDER_TASK, order_id)
    return count


def orders_watch() -> int:
    """One round of the watcher; returns how many orders it moved on."""
    follow = conditional_orders_check()
    moved = len(follow.submit)
    follow_up_run(follow)
    moved += _live_orders_sync()
    moved += _missed_follow_ups()
    return moved


def _live_orders_sync() -> int:
    """Ask the exchange for each symbol's open orders once; sync our live orders
    that are no longer open there, or whose fills moved on."""
    live = Order.objects.filter(status__in=LIVE_ORDER_STATUSES).order_by("id")
    symbols = sorted(set(live.values_list("symbol", flat=True)))
    exchange = venue()
    synced = 0
    for symbol in symbols:
        try:
            open_now = {o.client_order_id: o for o in exchange.open_orders(symbol=symbol)}
        except ExchangeOutcomeUnknown as exc:
            logger.warning("open orders of %s unavailable: %r", symbol, exc)
            continue
        for order in live.filter(symbol=symbol):
            seen = open_now.get(order.client_order_id)
            if seen is not None and seen.executed_quantity == order.executed_quantity and seen.status == order.status:
                continue
            order_changed(order_sync(client_order_id=order.client_order_id))
            synced += 1
    return synced


def _missed_follow_ups() -> int:
    """Follow-ups a crash between recording and following up would have lost."""
    now = timezone.now()
    recent = Order.objects.filter(updated_at__lt=now - FOLLOW_UP_GRACE, updated_at__gte=now - FOLLOW_UP_WINDOW)
    candidates = recent.filter(
        # entries finished with fills and no legs yet
        Q(role=OrderRole.ENTRY, status__in=(S.FILLED, S.CANCELED, S.EXPIRED), executed_quantity__gt=0)
        & ~Q(children__role__in=LEG_CODES) & ~Q(children__role=OrderRole.CLOSE)
        # legs that traded while a sibling is still working
        | Q(role__in=LEG_CODES, executed_quantity__gt=0)
        & Q(oco_group__in=Order.objects.filter(role__in=LEG_CODES).exclude(
            status__in=(S.FILLED, S.CANCELED, S.REJECTED, S.EXPIRED)).values("oco_group"))
        # legs refused, not yet retried or escalated
        | Q(role__in=LEG_CODES, status=S.REJECTED)
    ).distinct().order_by("id")[:200]  # fmt: skip
    done = 0
    for order in candidates:
        follow = order_follow_up(order)
        if follow:
            follow_up_run(follow)
            done += 1
    return done
