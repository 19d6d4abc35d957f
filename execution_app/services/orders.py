"""The order lifecycle: claim, call the exchange outside any transaction, record.

Every status change is an UPDATE filtered on the status we expect; zero rows
updated means another worker got there first and we step back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from execution_app.exchange import exchange_for_mode
from execution_app.exchange.base import (
    ExchangeOrder,
    ExchangeOutcomeUnknown,
    ExchangeRejected,
    OrderNotFound,
    OrderRequest,
)
from execution_app.models import Fill, Order, OrderStatus
from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.money import decimal_str
from risk_app.services.positions import position_apply_fill

logger = logging.getLogger(__name__)

S = OrderStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.SUBMITTING, S.CANCELED, S.REJECTED}),
    S.SUBMITTING: frozenset({S.OPEN, S.PARTIALLY_FILLED, S.FILLED, S.REJECTED, S.UNKNOWN, S.CANCELED, S.EXPIRED}),
    S.UNKNOWN: frozenset({S.OPEN, S.PARTIALLY_FILLED, S.FILLED, S.REJECTED, S.CANCELED, S.EXPIRED}),
    S.OPEN: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED}),
}
# An order claimed this long ago whose result was never recorded is looked up.
RECONCILE_AFTER = timedelta(seconds=30)


def client_order_id_for(*, signal_id: int, leg: str) -> str:
    """Deterministic, Binance-valid (^[a-zA-Z0-9-_]{1,36}$): the same signal and leg
    always give the same id, so a retry can only ever find, never duplicate."""
    return f"{settings.CLIENT_ORDER_PREFIX}-{signal_id}-{leg}"[:36]


def order_transition(*, order: Order, to: str, reason: str = "", actor: str = "system", **fields: object) -> bool:
    """Move an order from the status it has in memory to `to`; False if it had moved on."""
    if to not in ALLOWED_TRANSITIONS.get(order.status, frozenset()):
        return False
    with transaction.atomic():
        updated = Order.objects.filter(pk=order.pk, status=order.status).update(
            status=to, status_reason=reason, updated_at=timezone.now(), **fields
        )
        if not updated:
            return False
        previous = order.status
        order.refresh_from_db()
        audit_record(
            kind=f"order.{to}",
            entity_type="order",
            entity_id=order.pk,
            actor=actor,
            correlation_id=order.signal.correlation_id,
            data={"from": previous, "reason": reason, "client_order_id": order.client_order_id},
        )
        broadcast_on_commit("order", order_data(order))
    return True


def order_submit(*, order_id: int) -> Order:
    """Send a PENDING order once. Anything else is left alone (or reconciled when stale)."""
    order = Order.objects.select_related("signal").get(pk=order_id)
    if order.status != S.PENDING:
        return order_reconcile(order_id=order_id)
    if not order_transition(order=order, to=S.SUBMITTING, attempts=F("attempts") + 1, submitted_at=timezone.now()):
        return Order.objects.get(pk=order_id)
    request = OrderRequest(
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side,
        order_type=order.order_type,
        quantity=order.quantity,
        price=order.price,
        time_in_force=order.time_in_force,
        reduce_only=order.reduce_only,
        position_side=order.position_side,
    )
    exchange = exchange_for_mode()
    try:
        result = exchange.place_order(request)  # no transaction is open here, by design
    except ExchangeRejected as exc:
        order_transition(order=order, to=S.REJECTED, reason=exc.reason, actor=exchange.name)
        return order
    except ExchangeOutcomeUnknown as exc:
        logger.warning("order %s outcome unknown: %s", order.client_order_id, exc)
        order_transition(order=order, to=S.UNKNOWN, reason="outcome_unknown", actor=exchange.name)
        return order
    return order_record_result(order_id=order.pk, result=result, actor=exchange.name)


def order_reconcile(*, order_id: int) -> Order:
    """Resolve an order stuck in SUBMITTING or UNKNOWN by looking it up — never by resending."""
    order = Order.objects.select_related("signal").get(pk=order_id)
    if order.status not in (S.SUBMITTING, S.UNKNOWN):
        return order
    if order.submitted_at and timezone.now() - order.submitted_at < RECONCILE_AFTER:
        return order  # its worker may still be waiting on the exchange
    exchange = exchange_for_mode()
    try:
        result = exchange.get_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        order_transition(order=order, to=S.EXPIRED, reason="never_reached_exchange", actor="reconciler")
        return order
    return order_record_result(order_id=order.pk, result=result, actor="reconciler")


def order_record_result(*, order_id: int, result: ExchangeOrder, actor: str) -> Order:
    """Record what the exchange says: new fills, positions, the order's status.
    Idempotent: a fill already recorded (same trade id) is skipped."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("signal").get(pk=order_id)
        known = set(order.fills.values_list("trade_id", flat=True))
        for exchange_fill in result.fills:
            if exchange_fill.trade_id in known:
                continue
            fee_quote = _commission_in_quote(exchange_fill.commission, exchange_fill.commission_asset, order.symbol,
                                             exchange_fill.price)
            applied = position_apply_fill(
                symbol=order.symbol,
                side=order.side,
                quantity=exchange_fill.quantity,
                price=exchange_fill.price,
                fee_quote=fee_quote,
                actor=actor,
                correlation_id=order.signal.correlation_id,
            )
            fill = Fill.objects.create(
                order=order,
                trade_id=exchange_fill.trade_id,
                price=exchange_fill.price,
                quantity=exchange_fill.quantity,
                quote_quantity=exchange_fill.price * exchange_fill.quantity,
                commission=exchange_fill.commission,
                commission_asset=exchange_fill.commission_asset,
                commission_quote=fee_quote,
                is_maker=exchange_fill.is_maker,
                realized_pnl=applied.realized,
            )
            audit_record(
                kind="fill.recorded",
                entity_type="fill",
                entity_id=fill.pk,
                actor=actor,
                correlation_id=order.signal.correlation_id,
                data={"order": order.client_order_id, "price": fill.price, "quantity": fill.quantity,
                      "commission": fill.commission, "commission_asset": fill.commission_asset},
            )
            broadcast_on_commit("fill", fill_data(fill))
        if result.status == order.status:
            Order.objects.filter(pk=order.pk).update(
                executed_quantity=result.executed_quantity, average_price=result.average_price
            )
        else:
            order_transition(
                order=order,
                to=result.status,
                reason="exchange_report",
                actor=actor,
                exchange_order_id=result.exchange_order_id,
                executed_quantity=result.executed_quantity,
                average_price=result.average_price,
            )
    return Order.objects.get(pk=order_id)


def _commission_in_quote(commission: Decimal, asset: str, symbol: str, price: Decimal) -> Decimal:
    if symbol.endswith(asset):
        return commission
    if symbol.startswith(asset):
        return commission * price  # paid in the base asset, e.g. BTC on a spot buy
    raise ValueError(f"commission in {asset} on {symbol} needs a conversion price")


def order_data(order: Order) -> dict[str, object]:
    return {
        "id": order.pk,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side,
        "type": order.order_type,
        "quantity": decimal_str(order.quantity),
        "executed_quantity": decimal_str(order.executed_quantity),
        "average_price": decimal_str(order.average_price),
        "status": order.status,
        "status_reason": order.status_reason,
    }


def fill_data(fill: Fill) -> dict[str, object]:
    return {
        "id": fill.pk,
        "order_id": fill.order_id,
        "symbol": fill.order.symbol,
        "side": fill.order.side,
        "price": decimal_str(fill.price),
        "quantity": decimal_str(fill.quantity),
        "commission": decimal_str(fill.commission),
        "commission_asset": fill.commission_asset,
        "realized_pnl": decimal_str(fill.realized_pnl),
        "created_at": fill.created_at.isoformat(),
    }
