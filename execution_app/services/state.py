"""The order state machine: which status may follow which, and the one way to move an order.

Every transition is an UPDATE filtered on the status the caller saw; zero
rows updated means another worker got there first, and the caller steps back.
The audit row and the dashboard event go with the change, in its transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from execution_app.models import Order, OrderStatus
from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.money import decimal_str

S = OrderStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    # A conditional order we hold: triggered (→ pending), timed out, or cancelled.
    S.HELD: frozenset({S.PENDING, S.EXPIRED, S.CANCELED}),
    S.PENDING: frozenset({S.SUBMITTING, S.CANCELED, S.REJECTED}),
    # SUBMITTING/UNKNOWN → PENDING only when a lookup by client order id proved
    # the exchange never received the order: it is then sent again, same id.
    S.SUBMITTING: frozenset(
        {S.OPEN, S.PARTIALLY_FILLED, S.FILLED, S.REJECTED, S.UNKNOWN, S.CANCELED, S.EXPIRED, S.PENDING}
    ),
    S.UNKNOWN: frozenset({S.OPEN, S.PARTIALLY_FILLED, S.FILLED, S.REJECTED, S.CANCELED, S.EXPIRED, S.PENDING}),
    S.OPEN: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset({S.FILLED, S.CANCELED, S.EXPIRED}),
}

# Binance: newClientOrderId must match ^[\.A-Z\:/a-z0-9_-]{1,36}$ (futures; spot is stricter
# only in practice: letters, digits, - and _). We use the common subset.
CLIENT_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")


def client_order_id_for(*, signal_id: int, leg: str) -> str:
    """Deterministic and Binance-valid: the same signal and leg always give the
    same id, so a retry can only ever find the order, never duplicate it.
    Never truncated: a cut id could collide with another order's."""
    candidate = f"{settings.CLIENT_ORDER_PREFIX}-{signal_id}-{leg}"
    if not CLIENT_ORDER_ID.match(candidate):
        raise ValueError(f"client order id {candidate!r} is not Binance-valid (check PETROSA_CLIENT_ORDER_PREFIX)")
    return candidate


def order_transition(
    *,
    order: Order,
    to: str,
    reason: str = "",
    actor: str = "system",
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Move an order from the status it has in memory to ``to``; False if it had
    moved on (or the move is not allowed). On success ``order`` is refreshed."""
    if to not in ALLOWED_TRANSITIONS.get(order.status, frozenset()):
        return False
    # No savepoint: a failure here fails the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False):
        changes = {"status": to, "status_reason": reason[:128], "updated_at": timezone.now(), **fields}
        updated = Order.objects.filter(pk=order.pk, status=order.status).update(**changes)
        if not updated:
            return False
        previous = order.status
        computed = [name for name, value in changes.items() if hasattr(value, "resolve_expression")]
        for name, value in changes.items():
            if name not in computed:
                setattr(order, name, value)
        if computed:  # e.g. attempts=F("attempts") + 1: only the database knows the result
            order.refresh_from_db(fields=computed)
        audit_record(
            kind=f"order.{to}",
            entity_type="order",
            entity_id=order.pk,
            actor=actor,
            correlation_id=order.signal.correlation_id,
            data={"from": previous, "reason": reason, "client_order_id": order.client_order_id, **(data or {})},
        )
        broadcast_on_commit("order", order_data(order))
    return True


def order_data(order: Order) -> dict[str, object]:
    return {
        "id": order.pk,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side,
        "position_side": order.position_side,
        "role": order.role,
        "type": order.order_type,
        "quantity": decimal_str(order.quantity),
        "price": decimal_str(order.price),
        "stop_price": decimal_str(order.stop_price),
        "executed_quantity": decimal_str(order.executed_quantity),
        "average_price": decimal_str(order.average_price),
        "status": order.status,
        "status_reason": order.status_reason,
    }
