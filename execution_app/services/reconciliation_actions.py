"""The operator's answers to a reconciliation difference: adopt, close, cancel orphan, ignore.

* **adopt**: our books take the exchange's word. An order the exchange never
  heard of is expired; a status or quantity difference is synced; a position
  difference is booked into our position as an adjustment (at the exchange's
  entry price when ours grows, at the market price when it shrinks, no fee);
  an order unknown to us is left working and no longer reported.
* **close**: the exchange takes our word. The quantity the exchange holds
  beyond our books is closed reduce-only at market; a position without its
  protection is closed entirely and the close booked into our position.
  The close goes out with a deterministic client order id (``<prefix>-rc<issue>``),
  so a repeated click finds the first close instead of sending a second.
* **cancel orphan**: cancel the order on the exchange (ours through
  ``order_cancel``, so our books follow).
* **ignore**: with a reason; the same difference is not reported again.

Exchange calls happen outside any transaction; the issue is then settled
under a row lock, once, with its audit event.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from execution_app.exchange.base import (
    ExchangeOrder,
    ExchangeOutcomeUnknown,
    ExchangeRejected,
    OrderNotFound,
    OrderRequest,
)
from execution_app.models import LIVE_ORDER_STATUSES, Order, OrderStatus
from execution_app.models_binance import IssueKind, IssueResolution, IssueStatus, ReconciliationIssue
from execution_app.services.orders import order_cancel, order_record_result
from execution_app.services.reconciliation import (
    ReconcilableExchange,
    exchange_order_data,
    reconciliation_issue_settle,
)
from execution_app.services.state import order_transition
from petrosa.core.errors import Conflict, InvalidInput
from petrosa.core.locks import lock_for_transaction
from petrosa.core.market import price_latest
from petrosa.core.money import decimal_str
from risk_app.models import Position
from risk_app.services.positions import position_apply_fill

ADOPT, CLOSE, CANCEL_ORPHAN, IGNORE = "adopt", "close", "cancel_orphan", "ignore"
ACTIONS: dict[str, tuple[str, ...]] = {
    IssueKind.UNKNOWN_TO_US: (ADOPT, CANCEL_ORPHAN, IGNORE),
    IssueKind.GONE_FROM_EXCHANGE: (ADOPT, IGNORE),
    IssueKind.STATUS_MISMATCH: (ADOPT, CANCEL_ORPHAN, IGNORE),
    IssueKind.QUANTITY_MISMATCH: (ADOPT, IGNORE),
    IssueKind.POSITION_MISMATCH: (ADOPT, CLOSE, IGNORE),
    IssueKind.PROTECTIVE_MISSING: (ADOPT, CLOSE, IGNORE),
    IssueKind.PROTECTIVE_ORPHANED: (CANCEL_ORPHAN, IGNORE),
}


def issue_actions(issue: ReconciliationIssue) -> tuple[str, ...]:
    actions = ACTIONS.get(issue.kind, (IGNORE,))
    if issue.kind == IssueKind.PROTECTIVE_MISSING and issue.order_id is None:
        actions = tuple(a for a in actions if a != ADOPT)  # nothing of ours to expire
    return actions


def reconciliation_issue_resolve(
    *, issue_id: int, action: str, actor: str, reason: str, exchange: ReconcilableExchange
) -> ReconciliationIssue:
    issue = ReconciliationIssue.objects.select_related("order").get(pk=issue_id)
    if issue.status != IssueStatus.OPEN:
        raise Conflict(f"Difference #{issue.pk} is already {issue.status}.", code="issue_settled")
    if action not in issue_actions(issue):
        raise InvalidInput(
            f"'{action}' does not apply to a {issue.get_kind_display().lower()} difference.",
            fields={"action": [f"One of: {', '.join(issue_actions(issue))}."]},
        )
    if action == IGNORE and not reason.strip():
        raise InvalidInput("Ignoring a difference needs a reason.", fields={"reason": ["This field is required."]})
    if action == IGNORE:
        return _settle(issue.pk, IssueResolution.IGNORED, actor, reason, {})
    if action == ADOPT:
        return _adopt(issue, actor=actor, reason=reason, exchange=exchange)
    if action == CLOSE:
        return _close(issue, actor=actor, reason=reason, exchange=exchange)
    return _cancel_orphan(issue, actor=actor, reason=reason, exchange=exchange)


def _settle(
    issue_id: int, resolution: str, actor: str, reason: str, detail: dict[str, Any], effect: Any = None
) -> ReconciliationIssue:
    """Settle once: ``effect`` (a DB change) runs only if the issue is still open, in the same transaction."""
    with transaction.atomic():
        issue = ReconciliationIssue.objects.select_for_update().get(pk=issue_id)
        if issue.status != IssueStatus.OPEN:
            raise Conflict(f"Difference #{issue.pk} was settled meanwhile ({issue.resolution}).", code="issue_settled")
        if effect is not None:
            detail = {**detail, **(effect() or {})}
        reason = reason or action_label(resolution)
        reconciliation_issue_settle(issue, resolution=resolution, actor=actor, reason=reason, detail=detail)
    return issue


def action_label(resolution: str) -> str:
    return IssueResolution(resolution).label


# --- adopt ------------------------------------------------------------------------------


def _adopt(
    issue: ReconciliationIssue, *, actor: str, reason: str, exchange: ReconcilableExchange
) -> ReconciliationIssue:
    if issue.kind == IssueKind.UNKNOWN_TO_US:
        return _settle(issue.pk, IssueResolution.ADOPTED, actor, reason, {"left_working": True})
    if issue.kind == IssueKind.POSITION_MISMATCH:
        their_quantity, entry_price = _exchange_position(exchange, issue.symbol, issue.position_side)
        return _settle(
            issue.pk, IssueResolution.ADOPTED, actor, reason, {},
            effect=lambda: _book_adjustment(issue, their_quantity, entry_price, actor),
        )  # fmt: skip
    order = _our_order(issue)
    try:
        theirs = exchange.get_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        theirs = None
    except (ExchangeOutcomeUnknown, ExchangeRejected) as exc:
        raise Conflict(f"The exchange did not answer ({exc}); retry.", code="exchange_unavailable") from exc
    if theirs is None:

        def expire() -> dict[str, Any]:
            fresh = Order.objects.select_related("signal").get(pk=order.pk)
            if not order_transition(order=fresh, to=OrderStatus.EXPIRED, reason="not_on_exchange", actor=actor):
                raise Conflict(f"Order {order.pk} is {fresh.status}; it cannot expire.", code="order_moved_on")
            return {"order_status": OrderStatus.EXPIRED}

        return _settle(issue.pk, IssueResolution.ADOPTED, actor, reason, {}, effect=expire)
    synced = order_record_result(order_id=order.pk, result=theirs, actor=actor, reason="reconciliation_adopted")
    if synced.status != theirs.status:
        raise Conflict(
            f"Our order is {synced.status} and cannot follow the exchange's {theirs.status}; "
            "cancel the orphan instead.",
            code="cannot_follow_exchange",
        )
    return _settle(issue.pk, IssueResolution.ADOPTED, actor, reason, {"exchange": exchange_order_data(theirs)})


def _book_adjustment(
    issue: ReconciliationIssue, their_quantity: Decimal, entry_price: Decimal, actor: str
) -> dict[str, Any]:
    lock_for_transaction(f"position:{issue.symbol}")
    ours = (
        Position.objects.filter(symbol=issue.symbol, side=issue.position_side)
        .values_list("quantity", flat=True)
        .first()
    )
    difference = their_quantity - (ours or Decimal(0))
    if not difference:
        return {"booked": "0"}
    grows = difference > 0
    buys = (issue.position_side == "LONG") == grows
    price = entry_price if grows and entry_price > 0 else price_latest(issue.symbol)
    position_apply_fill(
        symbol=issue.symbol, side="BUY" if buys else "SELL", quantity=abs(difference), price=price,
        fee_quote=Decimal(0), actor=actor, correlation_id=f"reconciliation-{issue.pk}",
    )  # fmt: skip
    return {"booked": decimal_str(difference), "price": decimal_str(price)}


# --- close ------------------------------------------------------------------------------


def _close(
    issue: ReconciliationIssue, *, actor: str, reason: str, exchange: ReconcilableExchange
) -> ReconciliationIssue:
    their_quantity, _ = _exchange_position(exchange, issue.symbol, issue.position_side)
    ours = (
        Position.objects.filter(symbol=issue.symbol, side=issue.position_side)
        .values_list("quantity", flat=True)
        .first()
    )
    books_follow = issue.kind == IssueKind.PROTECTIVE_MISSING  # the position is ours: book its close
    quantity = their_quantity if books_follow else their_quantity - (ours or Decimal(0))
    if quantity <= 0:
        raise Conflict("The exchange holds nothing beyond our books to close; adopt instead.", code="nothing_to_close")
    request = OrderRequest(
        client_order_id=f"{settings.CLIENT_ORDER_PREFIX}-rc{issue.pk}",
        symbol=issue.symbol,
        side="SELL" if issue.position_side == "LONG" else "BUY",
        order_type="MARKET",
        quantity=quantity,
        reduce_only=True,
        position_side=issue.position_side,
    )
    try:
        result = exchange.place_order(request)
    except ExchangeRejected as exc:
        raise Conflict(f"The exchange refused the close: {exc.code} {exc.message}", code="close_refused") from exc
    except ExchangeOutcomeUnknown as exc:
        raise Conflict(
            f"The close's outcome is unknown ({exc}); retry to look it up.", code="exchange_unavailable"
        ) from exc
    detail = {"close": {"client_order_id": request.client_order_id, **exchange_order_data(result)}}
    effect = (lambda: _book_close(issue, result, actor)) if books_follow else None
    return _settle(issue.pk, IssueResolution.CLOSED, actor, reason, detail, effect=effect)


def _book_close(issue: ReconciliationIssue, result: ExchangeOrder, actor: str) -> dict[str, Any]:
    side = "SELL" if issue.position_side == "LONG" else "BUY"
    for fill in result.fills:
        fee = fill.commission if issue.symbol.endswith(fill.commission_asset) else fill.commission * fill.price
        position_apply_fill(
            symbol=issue.symbol, side=side, quantity=fill.quantity, price=fill.price, fee_quote=fee, actor=actor,
            correlation_id=f"reconciliation-{issue.pk}",
        )  # fmt: skip
    return {"booked_fills": len(result.fills)}


# --- cancel orphan -------------------------------------------------------------------------


def _cancel_orphan(
    issue: ReconciliationIssue, *, actor: str, reason: str, exchange: ReconcilableExchange
) -> ReconciliationIssue:
    order = issue.order
    if order is not None and order.status in LIVE_ORDER_STATUSES:
        canceled = order_cancel(order_id=order.pk, actor=actor, reason=reason or "reconciliation orphan")
        return _settle(issue.pk, IssueResolution.ORPHAN_CANCELED, actor, reason, {"order_status": canceled.status})
    try:
        result = exchange.cancel_order(symbol=issue.symbol, client_order_id=issue.client_order_id)
        detail: dict[str, Any] = {"exchange": exchange_order_data(result)}
    except OrderNotFound:
        detail = {"exchange": "not found: already gone"}
    except (ExchangeOutcomeUnknown, ExchangeRejected) as exc:
        raise Conflict(f"The cancel failed ({exc}); retry.", code="exchange_unavailable") from exc
    return _settle(issue.pk, IssueResolution.ORPHAN_CANCELED, actor, reason, detail)


# --- helpers ----------------------------------------------------------------------------


def _our_order(issue: ReconciliationIssue) -> Order:
    if issue.order_id is None:
        raise InvalidInput("This difference concerns no order of ours.", fields={"action": ["Not applicable."]})
    return Order.objects.select_related("signal").get(pk=issue.order_id)


def _exchange_position(exchange: ReconcilableExchange, symbol: str, side: str) -> tuple[Decimal, Decimal]:
    """The exchange's quantity and entry price for (symbol, side), read now."""
    try:
        positions = exchange.positions()
    except (ExchangeOutcomeUnknown, ExchangeRejected) as exc:
        raise Conflict(f"The exchange did not answer ({exc}); retry.", code="exchange_unavailable") from exc
    match = next((p for p in positions if p.symbol == symbol and p.side == side), None)
    return (match.quantity, match.entry_price) if match else (Decimal(0), Decimal(0))
