"""The order lifecycle at the exchange: claim, call outside any transaction, record.

* ``order_submit`` sends a PENDING order once: claim (PENDING → SUBMITTING, a
  conditional UPDATE), call the exchange with no transaction open, record.
* An outcome we cannot know (timeout, 5xx) leaves the order UNKNOWN; it is
  resolved by ``order_reconcile``, which looks it up by client order id. Only
  when the exchange proves it never received the order is it sent again, under
  the same client order id, at most ``max_retries`` times.
* ``order_record_result`` books what the exchange reports: new fills (once per
  exchange trade id), the position, the order's status. Idempotent.
* ``order_sync`` refreshes a live order by client order id (a resting limit or
  stop that filled later); ``order_cancel`` cancels one.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from execution_app.exchange.base import (
    ExchangeAdapter,
    ExchangeFill,
    ExchangeOrder,
    ExchangeOutcomeUnknown,
    ExchangeRejected,
    OrderNotFound,
)
from execution_app.models import LIVE_ORDER_STATUSES, Fill, Order, OrderRole, OrderStatus
from execution_app.services.planning import exchange_rules
from execution_app.services.state import order_transition
from execution_app.services.venue import hedge_mode, order_request, venue
from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.errors import Conflict, Unprocessable
from petrosa.core.market import price_latest
from petrosa.core.money import decimal_str
from risk_app.services.positions import position_apply_fill

logger = logging.getLogger(__name__)

S = OrderStatus
# Binance errors that mean "not placed, try again shortly": too many requests,
# too many new orders, timestamp outside recvWindow. Retried with the same
# client order id, so a retry can never make a second order.
TRANSIENT_REJECTIONS = frozenset({-1003, -1015, -1021})
RETRY_BACKOFF_SECONDS = (0.1, 0.2, 0.4, 0.8, 1.0)


@runtime_checkable
class QuotesExpectedPrice(Protocol):
    """An adapter that can say what a market order would fill at (paper: its book)."""

    def expected_fill_price(self, *, symbol: str, side: str, quantity: Decimal) -> Decimal: ...


def reconcile_after() -> timedelta:
    """How long a claimed order's worker may still be waiting on the exchange."""
    return timedelta(seconds=settings.ORDER_RECONCILE_AFTER_SECONDS)


def _test_crash(variable: str) -> None:
    """TEST-ONLY crash hook for tests/e2e/test_worker_killed_between_claim_and_record.py.
    When the environment variable names a marker file that does not exist yet,
    create it and SIGKILL this process: the crash happens once, and the
    redelivered task then runs normally. Never set in production."""
    marker = os.environ.get(variable)
    if not marker or Path(marker).exists():
        return
    Path(marker).write_text(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)


def order_submit(*, order_id: int) -> Order:
    """Send a PENDING order once. A claimed or unknown order is reconciled; any
    other order (held, live, final) is left alone."""
    order = Order.objects.select_related("signal").get(pk=order_id)
    if order.status in (S.SUBMITTING, S.UNKNOWN):
        return order_reconcile(order_id=order_id)
    if order.status != S.PENDING:
        return order
    exchange = venue()
    refusal = _slippage_refusal(order, exchange)
    if refusal is not None:
        order_transition(order=order, to=S.REJECTED, reason="slippage_exceeded", actor="execution", data=refusal)
        return order
    if not order_transition(order=order, to=S.SUBMITTING, attempts=F("attempts") + 1, submitted_at=timezone.now()):
        return Order.objects.select_related("signal").get(pk=order_id)
    _test_crash("PETROSA_TEST_CRASH_AFTER_CLAIM")
    try:
        result = _place(exchange, order)  # no transaction is open here, by design
    except ExchangeRejected as exc:
        order_transition(
            order=order, to=S.REJECTED, reason=exc.reason or f"exchange_{exc.code}", actor=exchange.name,
            data={"code": exc.code, "message": exc.message},
        )  # fmt: skip
        return order
    except ExchangeOutcomeUnknown as exc:
        logger.warning("order %s outcome unknown: %s", order.client_order_id, exc)
        order_transition(order=order, to=S.UNKNOWN, reason="outcome_unknown", actor=exchange.name)
        return order
    _test_crash("PETROSA_TEST_CRASH_AFTER_EXCHANGE_CALL")
    return order_record_result(order_id=order.pk, result=result, actor=exchange.name)


def _place(exchange: ExchangeAdapter, order: Order) -> ExchangeOrder:
    """place_order, retried on transient rejections up to the order's max_retries."""
    request = order_request(order)
    retries = int(order.params.get("max_retries", 0))
    for attempt in range(retries + 1):
        try:
            return exchange.place_order(request)
        except ExchangeRejected as exc:
            if exc.code not in TRANSIENT_REJECTIONS or attempt == retries:
                raise
            audit_record(
                kind="order.retry", entity_type="order", entity_id=order.pk, actor=exchange.name,
                correlation_id=order.signal.correlation_id,
                data={"attempt": attempt + 1, "code": exc.code, "message": exc.message},
            )  # fmt: skip
            time.sleep(RETRY_BACKOFF_SECONDS[min(attempt, len(RETRY_BACKOFF_SECONDS) - 1)])
    raise AssertionError("unreachable: the last attempt raises or returns")


def _slippage_refusal(order: Order, exchange: ExchangeAdapter) -> dict[str, str] | None:
    """A market entry whose expected fill is further from the price it was sized
    at than slippage_tolerance_pct is refused before it is sent. Closes are
    never refused: cutting risk is not a price decision."""
    if order.order_type != "MARKET" or order.role != OrderRole.ENTRY or order.reference_price is None:
        return None
    if not isinstance(exchange, QuotesExpectedPrice):
        return None
    tolerance = Decimal(order.params.get("slippage_tolerance_pct", "0")) / 100
    try:
        expected = exchange.expected_fill_price(symbol=order.symbol, side=order.side, quantity=order.quantity)
    except (Unprocessable, ExchangeOutcomeUnknown):
        return None  # no quote to judge by: the exchange's own price bands still apply
    deviation = abs(expected - order.reference_price) / order.reference_price
    if deviation <= tolerance:
        return None
    return {
        "expected_price": decimal_str(expected) or "",
        "reference_price": decimal_str(order.reference_price) or "",
        "deviation_pct": decimal_str((deviation * 100).quantize(Decimal("0.0001"))) or "",
        "tolerance_pct": order.params.get("slippage_tolerance_pct", "0"),
    }


def order_reconcile(*, order_id: int) -> Order:
    """Resolve an order stuck in SUBMITTING or UNKNOWN by looking it up by client order id."""
    order = Order.objects.select_related("signal").get(pk=order_id)
    if order.status not in (S.SUBMITTING, S.UNKNOWN):
        return order
    if order.submitted_at and timezone.now() - order.submitted_at < reconcile_after():
        return order  # its worker may still be waiting on the exchange
    exchange = venue()
    try:
        result = exchange.get_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        retries_used = max(order.attempts - 1, 0)
        if retries_used < int(order.params.get("max_retries", 0)):
            # Proven never received: send it (again, same id) rather than lose it.
            if order_transition(order=order, to=S.PENDING, reason="not_on_exchange_resubmit", actor="reconciler"):
                return order_submit(order_id=order_id)
            return Order.objects.get(pk=order_id)
        order_transition(order=order, to=S.EXPIRED, reason="never_reached_exchange", actor="reconciler")
        return order
    except ExchangeOutcomeUnknown:
        return order  # the exchange is unreachable: try again on the next sweep
    return order_record_result(order_id=order.pk, result=result, actor="reconciler")


def order_sync(*, client_order_id: str) -> Order | None:
    """Refresh a live order from the exchange (``execution.sync_order``): fills
    that arrived since are recorded once. None for an id that is not ours."""
    order = Order.objects.select_related("signal").filter(client_order_id=client_order_id).first()
    if order is None:
        return None
    if order.status in (S.SUBMITTING, S.UNKNOWN):
        return order_reconcile(order_id=order.pk)
    if order.status not in LIVE_ORDER_STATUSES:
        return order
    try:
        result = venue().get_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except (OrderNotFound, ExchangeOutcomeUnknown) as exc:
        logger.warning("sync of %s failed: %r", client_order_id, exc)
        return order
    return order_record_result(order_id=order.pk, result=result, actor="sync")


def order_cancel(*, order_id: int, actor: str, reason: str) -> Order:
    """Cancel an order. Held and pending orders never reached the exchange and
    are cancelled here; a live one is cancelled at the exchange (outside any
    transaction) and whatever it reports is recorded (it may have filled
    meanwhile). Raises Conflict for a finished order or one in flight."""
    order = Order.objects.select_related("signal").get(pk=order_id)
    if order.status in (S.HELD, S.PENDING):
        if order_transition(order=order, to=S.CANCELED, reason="canceled", actor=actor, data={"why": reason}):
            return order
        order = Order.objects.select_related("signal").get(pk=order_id)
    if order.is_final:
        raise Conflict(f"Order {order.pk} is already {order.status}.", code="order_finished")
    if order.status in (S.SUBMITTING, S.UNKNOWN):
        raise Conflict(f"Order {order.pk} is being sent to the exchange; retry in a moment.", code="order_in_flight")
    with transaction.atomic():
        audit_record(
            kind="order.cancel_requested", entity_type="order", entity_id=order.pk, actor=actor,
            correlation_id=order.signal.correlation_id, data={"reason": reason, "status": order.status},
        )  # fmt: skip
    exchange = venue()
    try:
        result = exchange.cancel_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        order_transition(order=order, to=S.EXPIRED, reason="not_found_on_exchange", actor=exchange.name)
        return order
    except ExchangeRejected:
        result = exchange.get_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except ExchangeOutcomeUnknown:
        raise Conflict("The exchange did not answer; the cancel may or may not have happened. Retry.",
                       code="exchange_unavailable") from None  # fmt: skip
    return order_record_result(order_id=order.pk, result=result, actor=actor, reason="canceled")


def order_record_result(*, order_id: int, result: ExchangeOrder, actor: str, reason: str = "exchange_report") -> Order:
    """Record what the exchange says: new fills, positions, the order's status.
    Idempotent: a fill already recorded (same exchange trade id) is skipped."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("signal").get(pk=order_id)
        reported = [f.trade_id for f in result.fills]
        recorded = Fill.objects.filter(exchange=order.exchange, symbol=order.symbol, trade_id__in=reported)
        known = set(recorded.values_list("trade_id", flat=True))
        for exchange_fill in result.fills:
            if exchange_fill.trade_id not in known:
                _record_fill(order, exchange_fill, actor)
                known.add(exchange_fill.trade_id)
        progress = {
            "executed_quantity": result.executed_quantity,
            "average_price": result.average_price,
        }
        if result.exchange_order_id:
            progress["exchange_order_id"] = result.exchange_order_id
        if result.status == order.status:
            Order.objects.filter(pk=order.pk).update(**progress)
            for name, value in progress.items():
                setattr(order, name, value)
        elif not order_transition(order=order, to=result.status, reason=reason, actor=actor, **progress):
            logger.warning("order %s: exchange reports %s while we hold %s", order.client_order_id, result.status,
                           order.status)  # fmt: skip
            return Order.objects.select_related("signal").get(pk=order_id)
    return order  # locked while it changed: it is what was just written


def _record_fill(order: Order, exchange_fill: ExchangeFill, actor: str) -> Fill:
    fee_quote, position_quantity = _fee_and_position_quantity(order, exchange_fill)
    # Hedge mode books a fill on its own position side only (a SELL on LONG reduces LONG).
    hedge = {"position_side": order.position_side} if hedge_mode(order) else {}
    applied = position_apply_fill(
        symbol=order.symbol,
        side=order.side,
        quantity=position_quantity,
        price=exchange_fill.price,
        fee_quote=fee_quote,
        actor=actor,
        correlation_id=order.signal.correlation_id,
        **hedge,
    )
    fill = Fill.objects.create(
        order=order,
        exchange=order.exchange,
        symbol=order.symbol,
        trade_id=exchange_fill.trade_id,
        price=exchange_fill.price,
        quantity=exchange_fill.quantity,
        quote_quantity=exchange_fill.price * exchange_fill.quantity,
        commission=exchange_fill.commission,
        commission_asset=exchange_fill.commission_asset,
        commission_quote=fee_quote,
        position_quantity=position_quantity,
        is_maker=exchange_fill.is_maker,
        realized_pnl=applied.realized,
    )
    audit_record(
        kind="fill.recorded",
        entity_type="fill",
        entity_id=fill.pk,
        actor=actor,
        correlation_id=order.signal.correlation_id,
        data={"order": order.client_order_id, "trade_id": fill.trade_id, "price": fill.price,
              "quantity": fill.quantity, "commission": fill.commission, "commission_asset": fill.commission_asset,
              "position_quantity": position_quantity, "realized_pnl": applied.realized},
    )  # fmt: skip
    broadcast_on_commit("fill", fill_data(fill))
    return fill


def _fee_and_position_quantity(order: Order, fill: ExchangeFill) -> tuple[Decimal, Decimal]:
    """The commission valued in the quote asset, and the quantity that reaches
    the position. A commission in the base asset (spot buys) is taken out of
    what was bought, so the position holds the quantity less the commission;
    its value still counts as a fee, so realized P&L stays net of every fee."""
    rules = exchange_rules(order.symbol)
    asset = fill.commission_asset
    if not fill.commission or asset == rules.quote_asset or not asset:
        return fill.commission, fill.quantity
    if asset == rules.base_asset:
        fee_quote = fill.commission * fill.price
        # Bought: we hold less. Sold: the fee left our holdings on top of what we sold.
        quantity = fill.quantity - fill.commission if order.side == "BUY" else fill.quantity + fill.commission
        return fee_quote, quantity
    try:  # a third asset, e.g. BNB: valued at its last price in the quote asset
        return fill.commission * price_latest(f"{asset}{rules.quote_asset}"), fill.quantity
    except Unprocessable:
        logger.warning("no %s%s price to value a commission; booked as 0", asset, rules.quote_asset)
        return Decimal("0"), fill.quantity


def fill_data(fill: Fill) -> dict[str, object]:
    return {
        "id": fill.pk,
        "order_id": fill.order_id,
        "symbol": fill.symbol,
        "side": fill.order.side,
        "price": decimal_str(fill.price),
        "quantity": decimal_str(fill.quantity),
        "commission": decimal_str(fill.commission),
        "commission_asset": fill.commission_asset,
        "realized_pnl": decimal_str(fill.realized_pnl),
        "created_at": fill.created_at.isoformat(),
    }
