"""The operator's workbench: each open difference is settled by adopt, close,
cancel orphan or ignore, from the admin or the API; every settlement is audited,
happens once, and acts on the exchange (the paper server over HTTP) as stated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from execution_app.exchange.base import OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange
from execution_app.models import Order, OrderStatus
from execution_app.models_binance import IssueKind, IssueStatus, ReconciliationIssue, ReconciliationRun
from execution_app.services.reconciliation import reconciliation_clear_to_trade, reconciliation_run
from execution_app.services.reconciliation_actions import reconciliation_issue_resolve
from petrosa.core.errors import Conflict, InvalidInput
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from tests.execution_app.binance_server import PaperExchangeHandle, futures, our_order, paper_exchange  # noqa: F401
from tests.factories import StrategyWithKey

D = Decimal


def _place(adapter: BinanceFuturesExchange, client_id: str, order_type: str, **fields: Any) -> None:
    fields.setdefault("symbol", "BTCUSDT")
    fields.setdefault("side", "BUY")
    fields.setdefault("quantity", D("0.01"))
    adapter.place_order(OrderRequest(client_order_id=client_id, order_type=order_type, **fields))


@pytest.fixture
def issues(futures: BinanceFuturesExchange, strategy: StrategyWithKey, settings: Any) -> dict[str, ReconciliationIssue]:  # noqa: F811
    settings.ORDER_RECONCILE_AFTER_SECONDS = 0
    our_order(strategy.strategy, "pt-70-e", price="48000")  # gone from the exchange
    _place(futures, "manual-70", "LIMIT", price=D("47500"))  # unknown to us
    _place(futures, "manual-71", "STOP_MARKET", symbol="ETHUSDT", side="SELL", stop_price=D("2500"))  # orphan stop
    _place(futures, "manual-72", "MARKET", symbol="DOGEUSDT", quantity=D("100"))  # position we don't hold
    run = reconciliation_run(exchange=futures, trigger=ReconciliationRun.Trigger.MANUAL)
    assert run.status == ReconciliationRun.Status.COMPLETED, run.error
    return {i.client_order_id or i.symbol: i for i in ReconciliationIssue.objects.filter(status=IssueStatus.OPEN)}


def _resolve(
    issue: ReconciliationIssue, action: str, exchange: BinanceFuturesExchange, reason: str = "checked"
) -> ReconciliationIssue:
    return reconciliation_issue_resolve(
        issue_id=issue.pk, action=action, actor="user:op", reason=reason, exchange=exchange
    )


def test_each_action_does_what_it_says(
    issues: dict[str, ReconciliationIssue],
    futures: BinanceFuturesExchange,  # noqa: F811
    paper_exchange: PaperExchangeHandle,
) -> None:  # noqa: F811
    assert set(issues) == {"pt-70-e", "manual-70", "manual-71", "DOGEUSDT"}

    _resolve(issues["pt-70-e"], "adopt", futures)  # our books take the exchange's word: it never existed there
    assert Order.objects.get(client_order_id="pt-70-e").status == OrderStatus.EXPIRED

    _resolve(issues["manual-70"], "cancel_orphan", futures)
    assert futures.get_order(symbol="BTCUSDT", client_order_id="manual-70").status == OrderStatus.CANCELED
    _resolve(issues["manual-71"], "cancel_orphan", futures)
    assert futures.open_orders() == []

    closed = _resolve(issues["DOGEUSDT"], "close", futures)
    assert closed.resolution == "closed" and closed.detail["close"]["client_order_id"] == f"pt-rc{closed.pk}"
    assert [p for p in futures.positions() if p.symbol == "DOGEUSDT"] == []
    [sent] = paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId=f"pt-rc{closed.pk}")
    assert sent["params"]["reduceOnly"] == "true" and sent["params"]["side"] == "SELL"
    assert not Position.objects.filter(symbol="DOGEUSDT", quantity__gt=0).exists()  # our books never had it

    with pytest.raises(Conflict):  # settled once; a second click changes nothing
        _resolve(issues["DOGEUSDT"], "close", futures)
    assert ReconciliationIssue.objects.filter(status=IssueStatus.OPEN).count() == 0
    kinds = set(
        AuditEvent.objects.filter(entity_type="reconciliation_issue", actor="user:op").values_list("kind", flat=True)
    )
    assert kinds == {
        "reconciliation_issue.adopted",
        "reconciliation_issue.orphan_canceled",
        "reconciliation_issue.closed",
    }
    reconciliation_clear_to_trade(exchange=futures)  # nothing open: entries may go


def test_adopting_a_position_books_the_exchange_quantity(
    issues: dict[str, ReconciliationIssue], futures: BinanceFuturesExchange
) -> None:  # noqa: F811
    adopted = _resolve(issues["DOGEUSDT"], "adopt", futures)
    position = Position.objects.get(symbol="DOGEUSDT", side="LONG")
    assert position.quantity == D("100") and position.avg_entry_price > 0
    assert adopted.detail["booked"] == "100"
    # The same difference is not reported again by the next run.
    reconciliation_run(exchange=futures, trigger=ReconciliationRun.Trigger.SCHEDULE)
    assert not ReconciliationIssue.objects.filter(status=IssueStatus.OPEN, kind=IssueKind.POSITION_MISMATCH).exists()


def test_ignore_needs_a_reason_and_actions_must_fit(
    issues: dict[str, ReconciliationIssue], futures: BinanceFuturesExchange
) -> None:  # noqa: F811
    with pytest.raises(InvalidInput):
        _resolve(issues["manual-70"], "ignore", futures, reason=" ")
    with pytest.raises(InvalidInput):
        _resolve(issues["manual-71"], "adopt", futures)  # an orphaned stop can only be cancelled or ignored
    ignored = _resolve(issues["manual-70"], "ignore", futures, reason="a manual order of the desk")
    assert (ignored.status, ignored.reason) == (IssueStatus.IGNORED, "a manual order of the desk")
    reconciliation_run(exchange=futures, trigger=ReconciliationRun.Trigger.SCHEDULE)
    assert not ReconciliationIssue.objects.filter(status=IssueStatus.OPEN, client_order_id="manual-70").exists()
    assert futures.get_order(symbol="BTCUSDT", client_order_id="manual-70").status == OrderStatus.OPEN


def test_admin_workbench_and_api(
    issues: dict[str, ReconciliationIssue],
    futures: BinanceFuturesExchange,  # noqa: F811
    operator: Any,
    paper_exchange: PaperExchangeHandle,
    settings: Any,
) -> None:  # noqa: F811
    # The admin and the API build their adapter from the settings: testnet on the paper server.
    settings.TRADING_MODE, settings.EXCHANGE_MARKET = "testnet", "usdm"
    settings.BINANCE_API_KEY, settings.BINANCE_API_SECRET = "test-api-key", "test-api-secret"
    settings.BINANCE_BASE_URL = paper_exchange.url
    browser = Client()
    browser.force_login(operator)
    listing = browser.get("/admin/execution_app/reconciliationissue/")
    assert listing.status_code == 200 and b"Resolve" in listing.content
    issue = issues["manual-70"]
    page = browser.get(f"/admin/execution_app/reconciliationissue/{issue.pk}/resolve/")
    assert page.status_code == 200 and b"cancel_orphan" in page.content
    response = browser.post(f"/admin/execution_app/reconciliationissue/{issue.pk}/resolve/",
                            {"action": "cancel_orphan", "reason": "not ours"})  # fmt: skip
    assert response.status_code == 302
    assert ReconciliationIssue.objects.get(pk=issue.pk).resolution == "orphan_canceled"
    assert futures.get_order(symbol="BTCUSDT", client_order_id="manual-70").status == OrderStatus.CANCELED

    api = APIClient()
    api.force_authenticate(operator)
    status = api.get("/api/v1/reconciliation/status").json()
    assert status["trading_blocked"] is True
    assert {d["client_order_id"] or d["symbol"] for d in status["open_differences"]} == {
        "pt-70-e",
        "manual-71",
        "DOGEUSDT",
    }
    doge = next(d for d in status["open_differences"] if d["symbol"] == "DOGEUSDT")
    assert doge["actions"] == ["adopt", "close", "ignore"]
    answer = api.post(f"/api/v1/reconciliation/issues/{doge['id']}/resolve", {"action": "ignore", "reason": "desk"},
                      format="json")  # fmt: skip
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    bad = api.post(f"/api/v1/reconciliation/issues/{doge['id']}/resolve", {"action": "ignore", "reason": "x"},
                   format="json")  # fmt: skip
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "issue_settled"
