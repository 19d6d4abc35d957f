"""Carrying orders forward: send, cancel, then do what each new state calls for.

After an order changes at the exchange, one of these may follow:

* an entry that finished with fills → its protective legs are armed;
* an entry that left the opposite position flat (one-way flip) → that side's legs are cancelled;
* a protective leg that traded → its OCO sibling is cancelled;
* a protective leg the exchange refused → it is retried, then escalated;
* a close that left the position flat → the position's open flags resolve.

Each of those returns a FollowUp (orders to cancel, orders to send), carried
out here after its transaction committed. The loop ends: every follow-up
either creates a bounded number of orders (two legs, ``max_retries`` retries,
one flatten) or none.
"""

from __future__ import annotations

import logging

from execution_app.models import Order, OrderRole, OrderStatus
from execution_app.services.close import protection_release_after_flip
from execution_app.services.followup import FollowUp
from execution_app.services.orders import order_cancel, order_submit
from execution_app.services.protective import (
    LEG_CODES,
    entry_needs_protection,
    flags_resolve_if_flat,
    oco_settle,
    protection_arm,
    protection_retry,
)
from petrosa.core.errors import Conflict

logger = logging.getLogger(__name__)
S = OrderStatus


def order_follow_up(order: Order) -> FollowUp:
    """What this order's current state calls for (nothing, most of the time)."""
    if order.role == OrderRole.ENTRY and order.executed_quantity:
        # One-way flip: the old side's legs are cancelled first (a FollowUp's cancels run before its sends).
        follow = protection_release_after_flip(entry=order)
        return follow + protection_arm(entry_id=order.pk) if entry_needs_protection(order) else follow
    if order.role in LEG_CODES:
        if order.executed_quantity:
            return oco_settle(leg_id=order.pk)
        if order.status in (S.REJECTED, S.EXPIRED):
            return protection_retry(leg_id=order.pk)
    if order.role == OrderRole.CLOSE and order.is_final and order.executed_quantity:
        flags_resolve_if_flat(symbol=order.symbol, position_side=order.position_side, actor="execution")
    return FollowUp()


def follow_up_run(follow: FollowUp, *, actor: str = "execution") -> None:
    """Cancel first, then send; then follow up on every order touched, until nothing is left."""
    pending = follow
    while pending:
        current, pending = pending, FollowUp()
        for order_id in current.cancel:
            try:
                order = order_cancel(order_id=order_id, actor=actor, reason="follow_up")
            except Conflict as exc:
                logger.info("follow-up cancel of order %s skipped: %s", order_id, exc.message)
                order = Order.objects.get(pk=order_id)
            pending = pending + order_follow_up(order)
        for order_id in current.submit:
            pending = pending + order_follow_up(order_submit(order_id=order_id))


def order_advance(*, order_id: int) -> Order:
    """Send (or reconcile) one order and carry out what follows from its result."""
    order = order_submit(order_id=order_id)
    follow_up_run(order_follow_up(order))
    return order


def order_changed(order: Order | None) -> None:
    """After a sync, reconcile or cancel: carry out what the order's new state calls for."""
    if order is not None:
        follow_up_run(order_follow_up(order))
