"""Scenario: a real Celery worker in testnet mode places orders through the Binance
adapter on the paper exchange server (its own process, over HTTP). The worker is
killed; meanwhile one order fills on the exchange, one is cancelled there, one
claimed order had reached the exchange before the kill, and a stranger's order
appears. A new worker's first trade reconciles first: every difference is found,
what can be synced is synced (fills, position), the rest blocks entries until
the operator settles it, and no order is ever sent twice."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.utils import timezone

from execution_app.exchange import exchange_for_mode
from execution_app.exchange.base import OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange, binance_client
from execution_app.models import Order, OrderStatus
from execution_app.models_binance import IssueKind, IssueStatus, ReconciliationIssue, ReconciliationRun
from execution_app.services.reconciliation_actions import reconciliation_issue_resolve
from petrosa.core.handoff import enqueue_now
from petrosa.core.market import price_set
from risk_app.models import Position
from tests.e2e.processes import Process, free_port, port_open, start_worker, wait_for
from tests.execution_app.binance_server import our_order
from tests.factories import StrategyWithKey

KEY, SECRET = "paper-api-key", "paper-api-secret"
D = Decimal


@pytest.fixture
def exchange_url(subprocess_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    server = Process(
        "paper-exchange",
        [sys.executable, "manage.py", "paper_exchange_server", "--port", str(port), "--faults",
         "--price-interval", "0.2", "--api-key", KEY, "--api-secret", SECRET],
        subprocess_env,
    )  # fmt: skip
    wait_for(lambda: port_open(port) or server.proc.poll() is not None, timeout=60, what="paper exchange server")
    assert server.proc.poll() is None, server.output()[-3000:]
    yield f"http://127.0.0.1:{port}"
    server.kill()


@pytest.fixture
def testnet_env(subprocess_env: dict[str, str], exchange_url: str, settings: Any) -> dict[str, str]:
    mode = {
        "PETROSA_TRADING_MODE": "testnet", "PETROSA_MARKET": "usdm", "BINANCE_API_KEY": KEY,
        "BINANCE_API_SECRET": SECRET, "BINANCE_BASE_URL": exchange_url, "PETROSA_MARKET_FEED": "off",
        "PETROSA_ORDER_RECONCILE_AFTER_SECONDS": "1",
    }  # fmt: skip
    # This process acts as the operator's web server: same mode, same exchange.
    settings.TRADING_MODE, settings.EXCHANGE_MARKET = "testnet", "usdm"
    settings.BINANCE_API_KEY, settings.BINANCE_API_SECRET, settings.BINANCE_BASE_URL = KEY, SECRET, exchange_url
    settings.ORDER_RECONCILE_AFTER_SECONDS = 1
    return {**subprocess_env, **mode}


def _desk(url: str) -> BinanceFuturesExchange:
    """Someone else on the same account (the exchange's web UI, another bot)."""
    return BinanceFuturesExchange(binance_client(api_key=KEY, api_secret=SECRET, testnet=True, base_url=url))


def _submit(order: Order) -> None:
    assert enqueue_now("execution.submit_order", order.pk)


def _status(client_id: str) -> str:
    return Order.objects.get(client_order_id=client_id).status


def _posts(url: str, client_id: str) -> int:
    log = requests.get(f"{url}/_paper/requests", timeout=5).json()
    return sum(
        1 for e in log if e["method"] == "POST" and e["path"] in ("/fapi/v1/order", "/fapi/v1/algoOrder")
        and client_id in (e["params"].get("newClientOrderId"), e["params"].get("clientAlgoId"))
    )  # fmt: skip


def test_restart_reconciles_every_difference_and_sends_nothing_twice(
    testnet_env: dict[str, str], exchange_url: str, strategy: StrategyWithKey
) -> None:
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")
    price_set(symbol="ETHUSDT", price=D("3000"), source="test")
    s = strategy.strategy
    resting = our_order(s, "pt-a-e", price="49000", status="pending")
    to_fill = our_order(s, "pt-b-e", price="49500", status="pending")
    to_cancel = our_order(s, "pt-c-e", symbol="ETHUSDT", quantity="0.1", price="2900", status="pending")

    first = start_worker(testnet_env, name="first")
    try:
        for order in (resting, to_fill, to_cancel):
            _submit(order)
        wait_for(lambda: all(_status(o.client_order_id) == OrderStatus.OPEN for o in (resting, to_fill, to_cancel)),
                 timeout=60, what="three orders open on the exchange")  # fmt: skip
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{first.output()[-4000:]}") from exc
    first.kill(signal.SIGKILL)

    # While no worker runs: a fill, a cancel, a send that reached the exchange, a stranger.
    desk = _desk(exchange_url)
    price_set(symbol="BTCUSDT", price=D("49400"), source="test")
    wait_for(lambda: desk.get_order(symbol="BTCUSDT", client_order_id="pt-b-e").status == OrderStatus.FILLED,
             timeout=20, what="the server to fill pt-b-e")  # fmt: skip
    desk.cancel_order(symbol="ETHUSDT", client_order_id="pt-c-e")
    claimed = our_order(s, "pt-e-e", price="48500", status="submitting")
    Order.objects.filter(pk=claimed.pk).update(submitted_at=timezone.now() - timedelta(seconds=30))
    desk.place_order(OrderRequest(client_order_id="pt-e-e", symbol="BTCUSDT", side="BUY", order_type="LIMIT",
                                  quantity=D("0.01"), price=D("48500")))  # fmt: skip
    desk.place_order(OrderRequest(client_order_id="stranger-1", symbol="BTCUSDT", side="BUY", order_type="LIMIT",
                                  quantity=D("0.01"), price=D("48000")))  # fmt: skip

    second = start_worker(testnet_env, name="second")
    try:
        blocked = our_order(s, "pt-f-e", order_type="MARKET", status="pending")
        _submit(blocked)
        wait_for(lambda: _status("pt-f-e") == OrderStatus.REJECTED, timeout=60, what="the first new trade")

        run = ReconciliationRun.objects.filter(trigger="startup").order_by("-id").first()
        assert run is not None and run.status == ReconciliationRun.Status.COMPLETED
        issues = {i.client_order_id: i for i in ReconciliationIssue.objects.filter(run__started_at__gte=run.started_at)}
        assert {cid: (i.kind, i.status) for cid, i in issues.items()} == {
            "pt-b-e": (IssueKind.STATUS_MISMATCH, IssueStatus.RESOLVED),
            "pt-c-e": (IssueKind.STATUS_MISMATCH, IssueStatus.RESOLVED),
            "pt-e-e": (IssueKind.STATUS_MISMATCH, IssueStatus.RESOLVED),
            "stranger-1": (IssueKind.UNKNOWN_TO_US, IssueStatus.OPEN),
        }
        filled = Order.objects.get(client_order_id="pt-b-e")
        assert filled.status == OrderStatus.FILLED and filled.fills.count() >= 1
        assert Position.objects.get(symbol="BTCUSDT", side="LONG").quantity == D("0.01")
        assert (_status("pt-a-e"), _status("pt-c-e"), _status("pt-e-e")) == ("open", "canceled", "open")
        assert Order.objects.get(client_order_id="pt-f-e").status_reason == "reconciliation_unresolved"

        # The operator settles the stranger; the next trade goes.
        stranger = issues["stranger-1"]
        reconciliation_issue_resolve(issue_id=stranger.pk, action="cancel_orphan", actor="user:op",
                                     reason="not ours", exchange=exchange_for_mode())  # type: ignore[arg-type]  # fmt: skip
        after = our_order(s, "pt-g-e", order_type="MARKET", status="pending")
        _submit(after)
        wait_for(lambda: _status("pt-g-e") == OrderStatus.FILLED, timeout=60, what="the trade after settling")
    except (TimeoutError, AssertionError) as exc:
        raise AssertionError(f"{exc}\nsecond worker:\n{second.output()[-4000:]}") from exc
    finally:
        second.kill()

    sends = {cid: _posts(exchange_url, cid) for cid in ("pt-a-e", "pt-b-e", "pt-c-e", "pt-e-e", "pt-f-e", "pt-g-e")}
    assert sends == {"pt-a-e": 1, "pt-b-e": 1, "pt-c-e": 1, "pt-e-e": 1, "pt-f-e": 0, "pt-g-e": 1}
    assert ReconciliationIssue.objects.filter(status=IssueStatus.OPEN).count() == 0
