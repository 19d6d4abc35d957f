"""Order.exchange (and each Fill's) names the venue the order went to: "paper" for the
in-process paper exchange, the Binance adapter's name in testnet/live. Here the Binance
adapters trade against the project's Binance-compatible paper exchange server over HTTP."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.models import Fill, Order, OrderStatus
from execution_app.services.pipeline import signal_execute
from tests.execution_app.binance_server import API_KEY, API_SECRET, PaperExchangeHandle, paper_exchange  # noqa: F401
from tests.execution_app.order_helpers import accepted_signal, configure
from tests.factories import StrategyWithKey

S = OrderStatus


@pytest.fixture
def testnet(paper_exchange: PaperExchangeHandle, settings: Any) -> PaperExchangeHandle:  # noqa: F811
    settings.TRADING_MODE = "testnet"
    settings.BINANCE_API_KEY, settings.BINANCE_API_SECRET = API_KEY, API_SECRET
    settings.BINANCE_BASE_URL = paper_exchange.url
    settings.ORDER_RECONCILE_AFTER_SECONDS = 0
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0)
    return paper_exchange


def _protected_buy(strategy: StrategyWithKey) -> dict[str, Order]:
    signal = accepted_signal(strategy.strategy, symbol="BTCUSDT", quantity=D("0.01"), stop_loss_pct=D("0.02"))
    signal_execute(signal_id=signal.pk)
    return {order.role: order for order in Order.objects.filter(signal=signal).order_by("id")}


def test_an_order_sent_to_binance_futures_is_recorded_as_binance_usdm(
    testnet: PaperExchangeHandle, strategy: StrategyWithKey, settings: Any
) -> None:
    settings.EXCHANGE_MARKET = "usdm"
    orders = _protected_buy(strategy)
    entry, stop = orders["entry"], orders["stop_loss"]
    assert entry.status == S.FILLED, (entry.status, entry.status_reason)
    assert testnet.sent("POST", "/fapi/v1/order", newClientOrderId=entry.client_order_id), "not sent to the server"
    assert entry.exchange == "binance_usdm"
    assert [fill.exchange for fill in Fill.objects.filter(order=entry)] == ["binance_usdm"]
    # The protective leg goes to the same venue as its entry.
    assert stop.status == S.OPEN and stop.exchange == "binance_usdm"


def test_an_order_sent_to_binance_spot_is_recorded_as_binance_spot(
    testnet: PaperExchangeHandle, strategy: StrategyWithKey, settings: Any
) -> None:
    settings.EXCHANGE_MARKET = "spot"
    entry = _protected_buy(strategy)["entry"]
    assert entry.status == S.FILLED, (entry.status, entry.status_reason)
    assert testnet.sent("POST", "/api/v3/order", newClientOrderId=entry.client_order_id), "not sent to the server"
    assert entry.exchange == "binance_spot"
    assert {fill.exchange for fill in Fill.objects.filter(order=entry)} == {"binance_spot"}


@pytest.mark.usefixtures("prices")
def test_an_order_on_the_paper_exchange_is_recorded_as_paper(strategy: StrategyWithKey, settings: Any) -> None:
    settings.TRADING_MODE = "paper"
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0)
    entry = _protected_buy(strategy)["entry"]
    assert entry.status == S.FILLED
    assert entry.exchange == "paper" and Fill.objects.get(order=entry).exchange == "paper"
