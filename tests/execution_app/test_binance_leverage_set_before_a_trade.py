"""The leverage and margin manager: the configured leverage and margin type are
applied before an entry (once, then remembered); when the exchange refuses
because a position is open, the refusal is recorded and trading goes on; an
operator can force a sync; the status is in the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from execution_app.exchange.base import OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange
from execution_app.models_binance import SymbolLeverage
from execution_app.services.leverage import leverage_before_trade, leverage_force
from petrosa.core.models import AuditEvent
from tests.execution_app.binance_server import NO_SLEEP_POLICY, PaperExchangeHandle, make_client, paper_exchange  # noqa: F401
from tests.execution_app.order_helpers import configure

D = Decimal


@pytest.fixture
def managed(paper_exchange: PaperExchangeHandle) -> BinanceFuturesExchange:  # noqa: F811
    return BinanceFuturesExchange(make_client(paper_exchange.url), policy=NO_SLEEP_POLICY,
                                  before_trade=(leverage_before_trade,))  # fmt: skip


def _order(client_id: str, side: str = "BUY", **fields: Any) -> OrderRequest:
    fields.setdefault("quantity", D("0.01"))
    return OrderRequest(client_order_id=client_id, symbol="BTCUSDT", side=side, order_type="MARKET", **fields)


def test_configured_settings_are_applied_before_the_first_entry_only(
    managed: BinanceFuturesExchange,
    paper_exchange: PaperExchangeHandle,  # noqa: F811
) -> None:
    configure(leverage=5, margin_type="isolated")
    managed.place_order(_order("pt-50-e"))
    log = [(e["method"], e["path"]) for e in paper_exchange.sent("POST", "/fapi/v1/marginType")
           + paper_exchange.sent("POST", "/fapi/v1/leverage")]  # fmt: skip
    assert sorted(log) == [("POST", "/fapi/v1/leverage"), ("POST", "/fapi/v1/marginType")]
    assert paper_exchange.sent("POST", "/fapi/v1/leverage")[0]["params"]["leverage"] == "5"
    row = SymbolLeverage.objects.get(symbol="BTCUSDT")
    assert (row.configured_leverage, row.actual_leverage, row.actual_margin_type, row.in_sync) == (
        5,
        5,
        "ISOLATED",
        True,
    )
    assert AuditEvent.objects.filter(kind="leverage.synced", entity_id="BTCUSDT").count() == 1
    settings = managed.symbol_settings(symbol="BTCUSDT")
    assert settings is not None and (settings.leverage, settings.margin_type) == (5, "ISOLATED")

    managed.place_order(_order("pt-51-e"))
    assert len(paper_exchange.sent("POST", "/fapi/v1/leverage")) == 1  # known in sync: no second call


def test_a_refusal_with_a_position_open_is_recorded_and_trading_goes_on(
    managed: BinanceFuturesExchange,
    paper_exchange: PaperExchangeHandle,  # noqa: F811
) -> None:
    configure(leverage=5, margin_type="isolated")
    managed.place_order(_order("pt-52-e"))
    configure(margin_type="cross")  # a position is open: Binance refuses the margin-type change (-4048)
    order = managed.place_order(_order("pt-53-e"))
    assert order.status == "filled"
    row = SymbolLeverage.objects.get(symbol="BTCUSDT")
    assert (row.configured_margin_type, row.actual_margin_type, row.in_sync) == ("CROSSED", "ISOLATED", False)
    assert row.last_error_code == -4048 and "position" in row.last_error
    assert AuditEvent.objects.filter(kind="leverage.refused", entity_id="BTCUSDT").exists()
    calls = len(paper_exchange.sent("POST", "/fapi/v1/marginType"))
    managed.place_order(_order("pt-54-e"))
    assert len(paper_exchange.sent("POST", "/fapi/v1/marginType")) == calls  # not retried before every trade
    # Closes never touch leverage.
    managed.place_order(_order("pt-55-c", side="SELL", quantity=D("0.03"), reduce_only=True))
    assert len(paper_exchange.sent("POST", "/fapi/v1/marginType")) == calls

    forced = leverage_force(exchange=managed, symbol="BTCUSDT", actor="user:op", reason="position closed")
    assert (forced.actual_margin_type, forced.in_sync, forced.forced_by) == ("CROSSED", True, "user:op")
    event = AuditEvent.objects.get(kind="leverage.forced", entity_id="BTCUSDT")
    assert event.actor == "user:op" and event.data["reason"] == "position closed"


def test_status_endpoint_shows_configured_and_actual(managed: BinanceFuturesExchange, operator: Any) -> None:
    configure(leverage=4, margin_type="isolated")
    managed.place_order(_order("pt-56-e"))
    client = APIClient()
    client.force_authenticate(operator)
    body = client.get("/api/v1/config/leverage/status").json()
    [row] = body["symbols"]
    assert (row["symbol"], row["configured_leverage"], row["actual_leverage"]) == ("BTCUSDT", 4, 4)
    assert row["in_sync"] is True and row["last_error"] == ""
    anonymous = APIClient().get("/api/v1/config/leverage/status")
    assert anonymous.status_code in (401, 403)
