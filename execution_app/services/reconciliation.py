"""Reconciliation: our open orders and positions against the exchange's, by client order id.

Runs before the first trade of every process (``reconciliation_clear_to_trade``,
a hook of the testnet/live adapters) and on a schedule (Celery beat,
``execution.reconcile_exchange``). Each run:

1. reads the exchange's open orders (conditional ones included) and positions;
2. for each order open in our books, finds it on the exchange: a different
   status or executed quantity is **synced** at once (fills booked once, by
   trade id, through ``order_record_result``); an order the exchange has never
   heard of is **gone from the exchange** (a protective leg: **protective
   missing**); orders still in flight (claimed or unknown) are left to the
   order lifecycle, which looks them up and never resends a received order;
3. lists orders open on the exchange that we do not know (**unknown to us**;
   a conditional one on a symbol with no position: **protective orphaned**),
   and our protective legs whose position is gone (**protective orphaned**);
4. compares positions per symbol and side (**position mismatch**) and
   finds positions whose protection is missing on the exchange
   (**protective missing**), skipping symbols with orders in flight.

Differences that need a person stay open until resolved in the admin
workbench (``reconciliation_actions``); while any is open, or the last run
failed, testnet/live refuse new entries (a failed run is retried by the next
entry after RETRY_FAILED_RUN_AFTER, and by the schedule). An open difference no later run
sees again is resolved as **vanished**. Every step is audited;
``reconciliation.difference_found`` events feed the
``tradeengine_reconciliation_differences_found`` metric.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from execution_app.exchange.base import (
    ExchangeOrder,
    ExchangeOutcomeUnknown,
    ExchangeRejected,
    OrderNotFound,
    OrderRequest,
)
from execution_app.exchange.binance.parsing import ExchangePosition
from execution_app.models import FINAL_ORDER_STATUSES, LIVE_ORDER_STATUSES, Order, OrderRole, OrderStatus
from execution_app.models_binance import (
    IssueKind,
    IssueResolution,
    IssueStatus,
    ReconciliationIssue,
    ReconciliationRun,
)
from execution_app.services.orders import order_record_result, reconcile_after
from petrosa.core.audit import audit_record
from petrosa.core.handoff import enqueue_now
from petrosa.core.money import decimal_str
from risk_app.models import Position

logger = logging.getLogger(__name__)

S = OrderStatus
PROCESS_STARTED_AT = timezone.now()
IN_FLIGHT = (S.PENDING, S.SUBMITTING, S.UNKNOWN)
PROTECTIVE_ROLES = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
SYNC_ORDER_TASK = "execution.sync_order"
# A failed run is retried by the next trade after this long (the schedule retries too).
RETRY_FAILED_RUN_AFTER = timedelta(seconds=10)
CONDITIONAL_TYPES = frozenset(
    {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET", "STOP_LOSS",
     "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"}
)  # fmt: skip


class ReconcilableExchange(Protocol):
    name: str
    market: str

    def open_orders(self, *, symbol: str | None = None) -> list[ExchangeOrder]: ...

    def get_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder: ...

    def cancel_order(self, *, symbol: str, client_order_id: str) -> ExchangeOrder: ...

    def place_order(self, request: OrderRequest) -> ExchangeOrder: ...

    def positions(self) -> list[ExchangePosition]: ...


@dataclass
class Difference:
    kind: str
    symbol: str
    position_side: str = ""
    client_order_id: str = ""
    order: Order | None = None
    ours: dict[str, Any] = field(default_factory=dict)
    theirs: dict[str, Any] = field(default_factory=dict)
    synced: bool = False  # resolved automatically during the run

    @property
    def fingerprint(self) -> str:
        """Identifies the difference across runs. Position differences carry both
        quantities, so a difference that changes is a new one."""
        key = f"{self.kind}:{self.symbol}:{self.position_side}:{self.client_order_id}"
        if self.kind in (IssueKind.POSITION_MISMATCH, IssueKind.PROTECTIVE_MISSING) and not self.client_order_id:
            key += f":{self.ours.get('quantity')}/{self.theirs.get('quantity')}"
        return key[:128]


class IncompleteRun(Exception):
    """The exchange did not answer a lookup: the run cannot vouch for the books."""


# --- the run ------------------------------------------------------------------------------


def reconciliation_run(*, exchange: ReconcilableExchange, trigger: str) -> ReconciliationRun:
    """Compare, sync what can be synced, record the rest. Never raises for the exchange's
    failures: the run is then FAILED, which keeps new trades blocked."""
    run = ReconciliationRun.objects.create(trigger=trigger, exchange=exchange.name)
    try:
        exchange_orders = exchange.open_orders()
        exchange_positions = exchange.positions() if exchange.market != "spot" else []
        differences, checked = _compare_orders(exchange, exchange_orders, exchange_positions)
        if exchange.market != "spot":  # spot holds balances, not positions
            differences += _compare_positions(exchange_orders, exchange_positions)
    except (ExchangeOutcomeUnknown, ExchangeRejected, IncompleteRun) as exc:
        logger.warning("reconciliation #%s failed: %s", run.pk, exc)
        return _finish(run, status=ReconciliationRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
    _record(run, differences)
    return _finish(
        run, status=ReconciliationRun.Status.COMPLETED, orders_checked=checked,
        positions_checked=len(exchange_positions), differences_found=len(differences),
        resolved_automatically=sum(1 for d in differences if d.synced),
    )  # fmt: skip


def reconciliation_clear_to_trade(*, exchange: ReconcilableExchange) -> None:
    """Raise ExchangeRejected unless a complete run since this process started left
    nothing open. Runs one first if there is none (the start-up reconciliation)."""
    latest = ReconciliationRun.objects.exclude(status=ReconciliationRun.Status.RUNNING).order_by("-id").first()
    stale_failure = (
        latest is not None
        and latest.status == ReconciliationRun.Status.FAILED
        and latest.finished_at is not None
        and timezone.now() - latest.finished_at > RETRY_FAILED_RUN_AFTER
    )
    if latest is None or latest.started_at < PROCESS_STARTED_AT or stale_failure:
        latest = reconciliation_run(exchange=exchange, trigger=ReconciliationRun.Trigger.STARTUP)
    if latest.status != ReconciliationRun.Status.COMPLETED:
        raise ExchangeRejected(
            code=0, message=f"The last reconciliation (#{latest.pk}) failed: {latest.error}",
            reason="reconciliation_failed",
        )  # fmt: skip
    open_count = ReconciliationIssue.objects.filter(status=IssueStatus.OPEN).count()
    if open_count:
        raise ExchangeRejected(
            code=0, message=f"{open_count} reconciliation difference(s) await an operator.",
            reason="reconciliation_unresolved",
        )  # fmt: skip


def _finish(run: ReconciliationRun, *, status: str, **counts: Any) -> ReconciliationRun:
    with transaction.atomic():
        for name, value in counts.items():
            setattr(run, name, value)
        run.status = status
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            kind=f"reconciliation_run.{status}",
            entity_type="reconciliation_run",
            entity_id=run.pk,
            actor="reconciler",
            data={"trigger": run.trigger, "exchange": run.exchange, "error": run.error, **counts},
        )
    return run


# --- orders ---------------------------------------------------------------------------------


def _compare_orders(
    exchange: ReconcilableExchange, exchange_orders: list[ExchangeOrder], positions: list[ExchangePosition]
) -> tuple[list[Difference], int]:
    on_exchange = {o.client_order_id: o for o in exchange_orders}
    position_keys = {(p.symbol, p.side) for p in positions}
    position_symbols = {p.symbol for p in positions}
    settled_before = timezone.now() - reconcile_after()
    ours = list(
        Order.objects.select_related("signal")
        .filter(status__in=(*LIVE_ORDER_STATUSES, S.SUBMITTING, S.UNKNOWN))
        .order_by("id")
    )
    differences: list[Difference] = []
    for order in ours:
        if order.status in (S.SUBMITTING, S.UNKNOWN) and (order.submitted_at or order.created_at) > settled_before:
            continue  # its worker may still be waiting on the exchange
        theirs = on_exchange.get(order.client_order_id)
        if theirs is None:
            theirs = _lookup(exchange, order)
            if theirs is None:
                if order.status in LIVE_ORDER_STATUSES:
                    kind = (
                        IssueKind.PROTECTIVE_MISSING if order.role in PROTECTIVE_ROLES else IssueKind.GONE_FROM_EXCHANGE
                    )
                    differences.append(_order_difference(kind, order, None))
                continue  # in flight and never received: order_reconcile resolves it
        if theirs.status == order.status and theirs.executed_quantity == order.executed_quantity:
            if order.role in PROTECTIVE_ROLES and exchange.market != "spot" and order.status in LIVE_ORDER_STATUSES:
                if (order.symbol, order.position_side) not in position_keys:
                    differences.append(_order_difference(IssueKind.PROTECTIVE_ORPHANED, order, theirs))
            continue
        kind = IssueKind.STATUS_MISMATCH if theirs.status != order.status else IssueKind.QUANTITY_MISMATCH
        difference = _order_difference(kind, order, theirs)
        difference.synced = _sync(order, theirs)
        differences.append(difference)
    known = set(Order.objects.filter(client_order_id__in=list(on_exchange)).values_list("client_order_id", flat=True))
    for theirs in exchange_orders:
        if theirs.client_order_id in known:
            mine = Order.objects.filter(client_order_id=theirs.client_order_id).first()
            if mine is not None and mine.status in FINAL_ORDER_STATUSES:
                # Closed in our books, still working on the exchange: someone must cancel it.
                differences.append(_order_difference(IssueKind.STATUS_MISMATCH, mine, theirs))
            continue
        conditional = not theirs.is_working or theirs.order_type in CONDITIONAL_TYPES
        orphaned = conditional and exchange.market != "spot" and theirs.symbol not in position_symbols
        kind = IssueKind.PROTECTIVE_ORPHANED if orphaned else IssueKind.UNKNOWN_TO_US
        differences.append(
            Difference(kind=kind, symbol=theirs.symbol, client_order_id=theirs.client_order_id,
                       theirs=exchange_order_data(theirs))
        )  # fmt: skip
    return differences, len(ours) + len(exchange_orders)


def _lookup(exchange: ReconcilableExchange, order: Order) -> ExchangeOrder | None:
    try:
        return exchange.get_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        return None
    except (ExchangeOutcomeUnknown, ExchangeRejected) as exc:
        raise IncompleteRun(f"lookup of {order.client_order_id}: {exc}") from exc


def _sync(order: Order, theirs: ExchangeOrder) -> bool:
    """Book the exchange's state; False when our state machine cannot follow it.

    What follows from the new state (protecting a filled entry, settling an
    OCO) is handed to ``execution.sync_order`` rather than done here, so no
    order is sent from inside a reconciliation run.
    """
    updated = order_record_result(order_id=order.pk, result=theirs, actor="reconciler", reason="reconciliation")
    enqueue_now(SYNC_ORDER_TASK, order.client_order_id)
    return updated.status == theirs.status and updated.executed_quantity == theirs.executed_quantity


def _order_difference(kind: str, order: Order, theirs: ExchangeOrder | None) -> Difference:
    return Difference(
        kind=kind, symbol=order.symbol, position_side=order.position_side, client_order_id=order.client_order_id,
        order=order, ours=order_data(order), theirs=exchange_order_data(theirs) if theirs else {},
    )  # fmt: skip


# --- positions ------------------------------------------------------------------------------


def _compare_positions(exchange_orders: list[ExchangeOrder], positions: list[ExchangePosition]) -> list[Difference]:
    if not positions and not Position.objects.filter(quantity__gt=0).exists():
        return []
    busy = set(Order.objects.filter(status__in=IN_FLIGHT).values_list("symbol", flat=True))
    settled_before = timezone.now() - reconcile_after()
    theirs = {(p.symbol, p.side): p for p in positions}
    ours = {(p.symbol, p.side): p for p in Position.objects.filter(quantity__gt=0)}
    protected = {(o.symbol, o.side) for o in exchange_orders if not o.is_working or o.order_type in CONDITIONAL_TYPES}
    differences: list[Difference] = []
    for key in sorted(set(theirs) | set(ours)):
        symbol, side = key
        mine, exchange_position = ours.get(key), theirs.get(key)
        if symbol in busy or (mine is not None and mine.updated_at > settled_before):
            continue  # orders in flight or fills just booked explain a difference for now
        mine_qty = mine.quantity if mine else Decimal(0)
        their_qty = exchange_position.quantity if exchange_position else Decimal(0)
        data_ours = {
            "quantity": decimal_str(mine_qty),
            "avg_entry_price": decimal_str(mine.avg_entry_price) if mine else None,
        }
        data_theirs = {
            "quantity": decimal_str(their_qty),
            "entry_price": decimal_str(exchange_position.entry_price) if exchange_position else None,
        }
        if mine_qty != their_qty:
            differences.append(
                Difference(IssueKind.POSITION_MISMATCH, symbol, side, ours=data_ours, theirs=data_theirs)
            )
            continue
        exit_side = "SELL" if side == "LONG" else "BUY"
        if exchange_position is not None and (symbol, exit_side) not in protected and _wants_protection(symbol, side):
            differences.append(
                Difference(IssueKind.PROTECTIVE_MISSING, symbol, side, ours=data_ours, theirs=data_theirs)
            )
    return differences


def _wants_protection(symbol: str, side: str) -> bool:
    """Our latest entry on this position asked for a stop-loss or take-profit."""
    entry = (
        Order.objects.filter(symbol=symbol, position_side=side, role=OrderRole.ENTRY, executed_quantity__gt=0)
        .order_by("-id")
        .first()
    )
    wanted = (entry.params.get("protection") or {}) if entry is not None else {}
    return any(value is not None for value in wanted.values())


# --- recording ------------------------------------------------------------------------------


def _record(run: ReconciliationRun, differences: list[Difference]) -> None:
    seen: set[str] = set()
    for difference in differences:
        seen.add(difference.fingerprint)
        try:
            with transaction.atomic():
                _record_one(run, difference)
        except IntegrityError:
            # A concurrent run opened the same difference first: it is recorded once.
            logger.info("difference %s already open", difference.fingerprint)
    with transaction.atomic():
        gone = (
            ReconciliationIssue.objects.select_for_update()
            .filter(status=IssueStatus.OPEN)
            .exclude(fingerprint__in=seen)
        )
        for issue in gone:
            reconciliation_issue_settle(issue, resolution=IssueResolution.VANISHED, actor="reconciler",
                         reason=f"not seen by run #{run.pk}")  # fmt: skip


def _record_one(run: ReconciliationRun, difference: Difference) -> None:
    settled = ReconciliationIssue.objects.filter(
        fingerprint=difference.fingerprint, resolution__in=(IssueResolution.ADOPTED, IssueResolution.IGNORED)
    )
    if not difference.synced and settled.exists():
        return  # an operator already decided about exactly this difference
    existing = (
        ReconciliationIssue.objects.select_for_update()
        .filter(fingerprint=difference.fingerprint, status=IssueStatus.OPEN)
        .first()
    )
    if existing is not None:
        existing.last_seen_run = run
        existing.ours, existing.theirs = difference.ours, difference.theirs
        existing.save(update_fields=["last_seen_run", "ours", "theirs"])
        if difference.synced:
            reconciliation_issue_settle(
                existing, resolution=IssueResolution.SYNCED, actor="reconciler", reason="synced from the exchange"
            )
        return
    issue = ReconciliationIssue.objects.create(
        run=run, last_seen_run=run, fingerprint=difference.fingerprint, kind=difference.kind,
        symbol=difference.symbol, position_side=difference.position_side,
        client_order_id=difference.client_order_id, order=difference.order,
        ours=difference.ours, theirs=difference.theirs,
    )  # fmt: skip
    audit_record(
        kind="reconciliation.difference_found",
        entity_type="reconciliation_issue",
        entity_id=issue.pk,
        actor="reconciler",
        data={"category": difference.kind, "symbol": difference.symbol, "client_order_id": difference.client_order_id,
              "ours": difference.ours, "theirs": difference.theirs, "run": run.pk},
    )  # fmt: skip
    if difference.synced:
        reconciliation_issue_settle(
            issue, resolution=IssueResolution.SYNCED, actor="reconciler", reason="synced from the exchange"
        )


def reconciliation_issue_settle(
    issue: ReconciliationIssue, *, resolution: str, actor: str, reason: str, detail: dict[str, Any] | None = None
) -> None:
    """Inside the caller's transaction: mark resolved (or ignored) and audit it."""
    issue.status = IssueStatus.IGNORED if resolution == IssueResolution.IGNORED else IssueStatus.RESOLVED
    issue.resolution = resolution
    issue.resolved_by = actor
    issue.resolved_at = timezone.now()
    issue.reason = reason[:500]
    issue.detail = detail or {}
    issue.save(update_fields=["status", "resolution", "resolved_by", "resolved_at", "reason", "detail"])
    audit_record(
        kind=f"reconciliation_issue.{resolution}",
        entity_type="reconciliation_issue",
        entity_id=issue.pk,
        actor=actor,
        data={"kind": issue.kind, "symbol": issue.symbol, "client_order_id": issue.client_order_id,
              "reason": reason, "detail": detail or {}},
    )  # fmt: skip


def order_data(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "status": order.status,
        "role": order.role,
        "side": order.side,
        "type": order.order_type,
        "quantity": decimal_str(order.quantity),
        "executed_quantity": decimal_str(order.executed_quantity),
    }


def exchange_order_data(order: ExchangeOrder) -> dict[str, Any]:
    return {
        "exchange_order_id": order.exchange_order_id,
        "status": order.status,
        "side": order.side,
        "type": order.order_type,
        "quantity": decimal_str(order.quantity),
        "executed_quantity": decimal_str(order.executed_quantity),
        "price": decimal_str(order.price),
        "stop_price": decimal_str(order.stop_price),
        "working": order.is_working,
    }
