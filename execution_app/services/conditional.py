"""Conditional orders we hold ourselves: conditional_limit and conditional_stop.

Binance has no "send this order when the price crosses X" for a plain limit
or market entry, so the order waits here in status HELD (already sized,
risk-approved and with its client order id). When the last price crosses
``conditional_price`` in ``conditional_direction`` (above: price >= it;
below: price <= it) it becomes PENDING and is sent like any other order; past
``expires_at`` (the signal's conditional_timeout) it expires unsent.

On spot a take-profit leg is held the same way (services/protective.py): when
it is released, its live stop-loss sibling is cancelled before it is sent.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from execution_app.models import Order, OrderStatus
from execution_app.services.followup import FollowUp
from execution_app.services.protective import oco_release
from execution_app.services.state import order_transition
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest
from petrosa.core.money import decimal_str

S = OrderStatus


def conditional_orders_check(*, symbol: str | None = None, now: datetime | None = None) -> FollowUp:
    """Expire held orders past their timeout and release those whose condition is met."""
    now = now or timezone.now()
    held = Order.objects.select_related("signal").filter(status=S.HELD).order_by("id")
    if symbol:
        held = held.filter(symbol=symbol)
    prices: dict[str, Decimal | None] = {}
    follow = FollowUp()
    for order in held:
        if order.expires_at is not None and now >= order.expires_at:
            order_transition(order=order, to=S.EXPIRED, reason="conditional_timeout", actor="conditional")
            continue
        if order.symbol not in prices:
            try:
                prices[order.symbol] = price_latest(order.symbol)
            except Unprocessable:
                prices[order.symbol] = None
        price = prices[order.symbol]
        if price is None or order.conditional_price is None:
            continue
        crossed = price >= order.conditional_price if order.conditional_direction == "above" else (
            price <= order.conditional_price
        )
        if not crossed:
            continue
        with transaction.atomic():
            # The slippage check judges a released order against the market it is released into.
            released = order_transition(
                order=order, to=S.PENDING, reason="condition_met", actor="conditional", reference_price=price,
                data={"price": decimal_str(price), "condition": f"{order.conditional_direction} "
                                                                 f"{decimal_str(order.conditional_price)}"},
            )  # fmt: skip
        if released:
            if order.oco_group:  # a protective leg we held: its sibling goes first
                follow = follow + oco_release(leg=order)
            follow.submit.append(order.pk)
    return follow
