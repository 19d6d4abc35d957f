"""A reconciliation run compares our open orders and positions with the exchange's
(the paper exchange server, over HTTP) by client order id and classifies every
difference; what can be synced is synced at once, the rest stays open, blocks
new entries, and is recorded once however often the run repeats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from execution_app.exchange.base import ExchangeRejected, OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange
from execution_app.exchange.paper_engine import engine_on_price
from execution_app.models import Order, OrderStatus
from execution_app.models_binance import IssueKind, IssueStatus, ReconciliationIssue, ReconciliationRun
from execution_app.services.reconciliation import reconciliation_clear_to_trade, reconciliation_run
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from tests.execution_app.binance_server import futures, our_order, paper_exchange  # noqa: F401
from tests.factories import StrategyWithKey

D = Decimal


def _place(adapter: BinanceFuturesExchange, client_id: str, order_type: str, **fields: Any) -> None:
    fields.setdefault("symbol", "BTCUSDT")
    fields.setdefault("side", "BUY")
    fields.setdefault("quantity", D("0.01"))
    adapter.place_order(OrderRequest(client_order_id=client_id, order_type=order_type, **fields))


@pytest.fixture
def books_and_exchange(
    futures: BinanceFuturesExchange, strategy: StrategyWithKey, settings: Any
) -> BinanceFuturesExchange:  # noqa: F811
    settings.ORDER_RECONCILE_AFTER_SECONDS = 0  # nothing here is still in flight
    s = strategy.strategy
    # In step: ours and the exchange's agree.
    our_order(s, "pt-60-e", price="49000")
    _place(futures, "pt-60-e", "LIMIT", price=D("49000"))
    # Filled on the exchange while our books still say open.
    our_order(s, "pt-61-e", price="49900")
    _place(futures, "pt-61-e", "LIMIT", price=D("49900"))
    price_set(symbol="BTCUSDT", price=D("49800"), source="test")
    engine_on_price("BTCUSDT", D("49800"), market="usdm")
    # Open in our books, never on the exchange.
    our_order(s, "pt-62-e", price="48000")
    # A protective leg of ours the exchange does not have.
    our_order(s, "pt-63-sl", side="SELL", order_type="STOP_MARKET", stop_price="45000", role="stop_loss",
              reduce_only=True)  # fmt: skip
    # On the exchange, unknown to us: a limit order, and a stop on a symbol without a position.
    _place(futures, "manual-1", "LIMIT", price=D("47500"))
    _place(futures, "manual-2", "STOP_MARKET", symbol="ETHUSDT", side="SELL", stop_price=D("2500"))
    # A position the exchange holds and our books do not.
    _place(futures, "manual-3", "MARKET", symbol="DOGEUSDT", quantity=D("100"))
    return futures


def test_every_difference_is_found_and_classified(books_and_exchange: BinanceFuturesExchange) -> None:
    run = reconciliation_run(exchange=books_and_exchange, trigger=ReconciliationRun.Trigger.MANUAL)
    assert run.status == ReconciliationRun.Status.COMPLETED, run.error
    found = {
        (i.kind, i.client_order_id or f"{i.symbol}:{i.position_side}"): i for i in ReconciliationIssue.objects.all()
    }
    assert set(found) == {
        (IssueKind.STATUS_MISMATCH, "pt-61-e"),
        (IssueKind.GONE_FROM_EXCHANGE, "pt-62-e"),
        (IssueKind.PROTECTIVE_MISSING, "pt-63-sl"),
        (IssueKind.UNKNOWN_TO_US, "manual-1"),
        (IssueKind.PROTECTIVE_ORPHANED, "manual-2"),
        (IssueKind.POSITION_MISMATCH, "DOGEUSDT:LONG"),
    }
    assert (run.differences_found, run.resolved_automatically) == (6, 1)
    # The fill that happened meanwhile was synced: order, fills and position.
    synced = found[(IssueKind.STATUS_MISMATCH, "pt-61-e")]
    assert (synced.status, synced.resolution) == (IssueStatus.RESOLVED, "synced")
    order = Order.objects.get(client_order_id="pt-61-e")
    assert order.status == OrderStatus.FILLED and order.fills.count() >= 1
    assert Position.objects.get(symbol="BTCUSDT", side="LONG").quantity == D("0.01")
    # The rest wait for an operator, and block new entries.
    assert ReconciliationIssue.objects.filter(status=IssueStatus.OPEN).count() == 5
    mismatch = found[(IssueKind.POSITION_MISMATCH, "DOGEUSDT:LONG")]
    assert (mismatch.ours["quantity"], mismatch.theirs["quantity"]) == ("0", "100")
    with pytest.raises(ExchangeRejected) as blocked:
        reconciliation_clear_to_trade(exchange=books_and_exchange)
    assert blocked.value.reason == "reconciliation_unresolved"
    assert AuditEvent.objects.filter(kind="reconciliation.difference_found").count() == 6


def test_a_repeated_run_records_each_difference_once(books_and_exchange: BinanceFuturesExchange) -> None:
    first = reconciliation_run(exchange=books_and_exchange, trigger=ReconciliationRun.Trigger.MANUAL)
    second = reconciliation_run(exchange=books_and_exchange, trigger=ReconciliationRun.Trigger.SCHEDULE)
    assert second.status == ReconciliationRun.Status.COMPLETED
    assert ReconciliationIssue.objects.count() == 6
    open_issues = ReconciliationIssue.objects.filter(status=IssueStatus.OPEN)
    assert open_issues.count() == 5 and all(i.last_seen_run_id == second.pk for i in open_issues)
    assert all(i.run_id == first.pk for i in open_issues)
    assert AuditEvent.objects.filter(kind="reconciliation.difference_found").count() == 6


def test_a_difference_that_goes_away_is_closed_as_vanished(books_and_exchange: BinanceFuturesExchange) -> None:
    reconciliation_run(exchange=books_and_exchange, trigger=ReconciliationRun.Trigger.MANUAL)
    books_and_exchange.cancel_order(symbol="BTCUSDT", client_order_id="manual-1")  # someone cancelled it by hand
    reconciliation_run(exchange=books_and_exchange, trigger=ReconciliationRun.Trigger.SCHEDULE)
    issue = ReconciliationIssue.objects.get(client_order_id="manual-1")
    assert (issue.status, issue.resolution) == (IssueStatus.RESOLVED, "vanished")


def test_an_unreachable_exchange_fails_the_run_and_blocks_entries(
    books_and_exchange: BinanceFuturesExchange,
    paper_exchange: Any,  # noqa: F811
) -> None:
    paper_exchange.fault(method="GET", path="/fapi/v1/openOrders", status=503, code=-1007, when="before", times=0)
    run = reconciliation_run(exchange=books_and_exchange, trigger=ReconciliationRun.Trigger.STARTUP)
    assert run.status == ReconciliationRun.Status.FAILED and "ExchangeOutcomeUnknown" in run.error
    assert ReconciliationIssue.objects.count() == 0
    with pytest.raises(ExchangeRejected) as blocked:
        reconciliation_clear_to_trade(exchange=books_and_exchange)
    assert blocked.value.reason == "reconciliation_failed"
