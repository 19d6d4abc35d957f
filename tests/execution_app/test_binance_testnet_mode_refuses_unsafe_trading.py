"""PETROSA_TRADING_MODE=testnet (or live) with BINANCE_BASE_URL trades through the
real adapter against the paper exchange server, and refuses an entry (sending
nothing) without credentials, when the audit trail cannot be written, or while
reconciliation is unresolved; reduce-only closes still go out."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from execution_app.exchange import exchange_for_mode
from execution_app.exchange.base import ExchangeRejected, OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange, BinanceSpotExchange
from execution_app.models_binance import ReconciliationRun
from execution_app.services.reconciliation import reconciliation_run
from petrosa.core.models import AuditEvent
from tests.execution_app.binance_server import (  # noqa: F401
    API_KEY,
    API_SECRET,
    PaperExchangeHandle,
    make_client,
    paper_exchange,
)

D = Decimal


@pytest.fixture
def testnet(paper_exchange: PaperExchangeHandle, settings: Any) -> PaperExchangeHandle:  # noqa: F811
    settings.TRADING_MODE, settings.EXCHANGE_MARKET = "testnet", "usdm"
    settings.BINANCE_API_KEY, settings.BINANCE_API_SECRET = API_KEY, API_SECRET
    settings.BINANCE_BASE_URL = paper_exchange.url
    settings.ORDER_RECONCILE_AFTER_SECONDS = 0
    return paper_exchange


def _entry(client_id: str, **fields: Any) -> OrderRequest:
    return OrderRequest(client_order_id=client_id, symbol="BTCUSDT", side="BUY", order_type="MARKET",
                        quantity=D("0.01"), **fields)  # fmt: skip


def test_the_mode_picks_the_binance_adapter_on_the_configured_host(testnet: PaperExchangeHandle, settings: Any) -> None:
    futures = exchange_for_mode()
    assert isinstance(futures, BinanceFuturesExchange)
    assert futures.client.FUTURES_TESTNET_URL == f"{testnet.url}/fapi" and futures.client.testnet is True
    settings.EXCHANGE_MARKET = "spot"
    spot = exchange_for_mode()
    assert isinstance(spot, BinanceSpotExchange) and spot.client.API_TESTNET_URL == f"{testnet.url}/api"


def test_the_first_entry_of_a_process_reconciles_first(testnet: PaperExchangeHandle) -> None:
    order = exchange_for_mode().place_order(_entry("pt-80-e"))
    assert order.status == "filled"
    [run] = ReconciliationRun.objects.all()
    assert (run.trigger, run.status) == ("startup", "completed")
    sending = AuditEvent.objects.get(kind="exchange.order_sending", entity_id="pt-80-e")
    assert sending.data["mode"] == "testnet"
    exchange_for_mode().place_order(_entry("pt-81-e"))
    assert ReconciliationRun.objects.count() == 1  # once per process, then the schedule


def test_unresolved_differences_block_entries_not_closes(testnet: PaperExchangeHandle) -> None:
    adapter = exchange_for_mode()
    # Someone else buys on the account: a position our books do not have, for an operator to settle.
    desk = BinanceFuturesExchange(make_client(testnet.url))
    desk.place_order(OrderRequest(client_order_id="manual-80", symbol="DOGEUSDT", side="BUY", order_type="MARKET",
                                  quantity=D("100")))  # fmt: skip
    reconciliation_run(exchange=adapter, trigger=ReconciliationRun.Trigger.MANUAL)
    with pytest.raises(ExchangeRejected) as refused:
        adapter.place_order(_entry("pt-82-e"))
    assert refused.value.reason == "reconciliation_unresolved"
    assert testnet.sent("POST", "/fapi/v1/order", newClientOrderId="pt-82-e") == []
    close = adapter.place_order(OrderRequest(client_order_id="pt-83-c", symbol="DOGEUSDT", side="SELL",
                                             order_type="MARKET", quantity=D("100"), reduce_only=True))  # fmt: skip
    assert close.status == "filled"


def test_no_credentials_means_nothing_is_sent(testnet: PaperExchangeHandle, settings: Any) -> None:
    settings.BINANCE_API_SECRET = ""
    with pytest.raises(ExchangeRejected) as refused:
        exchange_for_mode().place_order(_entry("pt-84-e"))
    assert refused.value.reason == "no_credentials"
    assert testnet.sent("POST", "/fapi/v1/order") == []


@pytest.fixture
def audit_writes_fail(transactional_db: Any) -> Iterator[None]:
    """The database itself refuses audit rows (a trigger), as a full disk or revoked grant would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$ "
            "LANGUAGE plpgsql; CREATE TRIGGER refuse_audit BEFORE INSERT ON core_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION refuse_audit();"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_audit ON core_auditevent; DROP FUNCTION refuse_audit();")


def test_a_failing_audit_write_means_nothing_is_sent(testnet: PaperExchangeHandle, audit_writes_fail: None) -> None:
    with pytest.raises(ExchangeRejected) as refused:
        exchange_for_mode().place_order(_entry("pt-85-e"))
    assert refused.value.reason == "audit_unavailable" and "audit disk full" in refused.value.message
    assert testnet.sent("POST", "/fapi/v1/order") == []
