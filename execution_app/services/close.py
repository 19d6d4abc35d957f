"""Closing a position: cancel its protective orders, then close it reduce-only at market.

A close comes in as a signal (a strategy's ``close``, an operator's manual
close, the admin's "close position"), so it has passed the risk gate, which
always lets reduce-only trades through. Protective legs are cancelled first:
a stop that fired after the close would open a position the other way.
"""

from __future__ import annotations

from execution_app.models import LIVE_ORDER_STATUSES, Order, OrderRole, OrderStatus
from execution_app.services.followup import FollowUp
from execution_app.services.state import order_transition

S = OrderStatus
PROTECTIVE = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)


def protection_release(*, symbol: str, position_side: str, actor: str) -> FollowUp:
    """Inside the close's transaction: cancel the position's not-yet-sent legs
    here, and list its live legs for cancelling at the exchange after commit."""
    follow = FollowUp()
    legs = (
        Order.objects.select_for_update()
        .select_related("signal")
        .filter(symbol=symbol, position_side=position_side, role__in=PROTECTIVE)
        .exclude(status__in=(S.FILLED, S.CANCELED, S.REJECTED, S.EXPIRED))
        .order_by("id")
    )
    for leg in legs:
        if leg.status in (S.HELD, S.PENDING):
            order_transition(order=leg, to=S.CANCELED, reason="position_closed", actor=actor)
        elif leg.status in LIVE_ORDER_STATUSES:
            follow.cancel.append(leg.pk)
    return follow
