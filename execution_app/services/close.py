"""Closing a position: cancel its protective orders, then close it reduce-only at market.

A close comes in as a signal (a strategy's ``close``, an operator's manual
close, the admin's "close position"), so it has passed the risk gate, which
always lets reduce-only trades through. Protective legs are cancelled first:
a stop that fired after the close would open a position the other way.

In one-way mode an entry against an open position closes it too: a sell
bigger than the long closes the long and opens a short (a flip). Once such an
entry has left the old side flat, that side's legs are released the same way
(``protection_release_after_flip``), before the new side's legs are sent.
"""

from __future__ import annotations

from django.db import transaction

from execution_app.models import LIVE_ORDER_STATUSES, Order, OrderRole, OrderStatus
from execution_app.services.followup import FollowUp
from execution_app.services.state import order_transition
from execution_app.services.venue import hedge_mode
from petrosa.core.audit import audit_record
from risk_app.models import PositionSide
from risk_app.services.portfolio import position_quantity

S = OrderStatus
PROTECTIVE = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
ENDED = (S.FILLED, S.CANCELED, S.REJECTED, S.EXPIRED)
OPPOSITE = {PositionSide.LONG: PositionSide.SHORT, PositionSide.SHORT: PositionSide.LONG}


def protection_release(
    *, symbol: str, position_side: str, actor: str, reason: str = "position_closed", placed_before: int | None = None
) -> FollowUp:
    """Inside the close's transaction: cancel the position's not-yet-sent legs
    here, and list its live legs for cancelling at the exchange after commit.
    ``placed_before``: only legs of entries older than this order id."""
    follow = FollowUp()
    legs = (
        Order.objects.select_for_update()
        .select_related("signal")
        .filter(symbol=symbol, position_side=position_side, role__in=PROTECTIVE)
        .exclude(status__in=ENDED)
        .order_by("id")
    )
    if placed_before is not None:
        legs = legs.filter(parent_id__lt=placed_before)
    for leg in legs:
        if leg.status in (S.HELD, S.PENDING):
            order_transition(order=leg, to=S.CANCELED, reason=reason, actor=actor)
        elif leg.status in LIVE_ORDER_STATUSES:
            follow.cancel.append(leg.pk)
    return follow


def protection_release_after_flip(*, entry: Order) -> FollowUp:
    """One-way mode: once an entry's fills have left the opposite position flat,
    that position's legs have nothing left to protect (a stop of the old long
    would now sell into the new short): release them. Idempotent, and one cheap
    read for the usual entry, which leaves no opposite legs behind."""
    old_side = OPPOSITE.get(entry.position_side)
    if entry.role != OrderRole.ENTRY or not entry.executed_quantity or old_side is None or hedge_mode(entry):
        return FollowUp()
    old_legs = Order.objects.filter(symbol=entry.symbol, position_side=old_side, role__in=PROTECTIVE,
                                    parent_id__lt=entry.pk).exclude(status__in=ENDED)  # fmt: skip
    if not old_legs.exists() or position_quantity(symbol=entry.symbol, side=old_side) > 0:
        return FollowUp()  # nothing to release, or the entry only reduced the old side: its legs still protect it
    flipped = position_quantity(symbol=entry.symbol, side=entry.position_side) > 0
    reason = "position_flipped" if flipped else "position_closed"
    with transaction.atomic():
        legs = list(old_legs.values_list("client_order_id", flat=True))
        follow = protection_release(symbol=entry.symbol, position_side=old_side, actor="execution", reason=reason,
                                    placed_before=entry.pk)  # fmt: skip
        audit_record(
            kind="protective.released", entity_type="order", entity_id=entry.pk, actor="execution",
            correlation_id=entry.signal.correlation_id,
            data={"reason": reason, "entry": entry.client_order_id, "position_side": old_side, "legs": legs,
                  "cancel_at_exchange": len(follow.cancel)},
        )  # fmt: skip
    return follow
