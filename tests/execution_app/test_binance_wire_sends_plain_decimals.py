"""Quantities and prices leave as plain decimal strings: never ``1e-05`` or ``4.9E+4``,
which Binance (and the paper server) refuse with -1100."""

from __future__ import annotations

from decimal import Decimal

import pytest
from binance.exceptions import BinanceAPIException

from execution_app.exchange.base import OrderRequest
from execution_app.exchange.binance import BinanceSpotExchange
from execution_app.exchange.binance.spot import order_params
from execution_app.models import OrderStatus
from tests.execution_app.binance_server import PaperExchangeHandle, make_client, paper_exchange, spot  # noqa: F401


def test_order_params_are_plain_decimals() -> None:
    request = OrderRequest(
        client_order_id="pt-40-e", symbol="BTCUSDT", side="BUY", order_type="STOP_LOSS_LIMIT",
        quantity=Decimal("1E-5"), price=Decimal("4.9E+4"), stop_price=Decimal("49000.00000000"),
    )  # fmt: skip
    params = order_params(request)
    assert (params["quantity"], params["price"], params["stopPrice"]) == ("0.00001", "49000", "49000")
    assert params["timeInForce"] == "GTC" and params["newClientOrderId"] == "pt-40-e"


def test_exponent_forms_reach_the_server_as_plain_text(
    spot: BinanceSpotExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    order = spot.place_order(OrderRequest(
        client_order_id="pt-41-e", symbol="BTCUSDT", side="BUY", order_type="LIMIT",
        quantity=Decimal("3E-4"), price=Decimal("4.9E+4"),
    ))  # fmt: skip
    assert order.status == OrderStatus.OPEN
    [sent] = paper_exchange.sent("POST", "/api/v3/order", newClientOrderId="pt-41-e")
    assert (sent["params"]["quantity"], sent["params"]["price"]) == ("0.0003", "49000")


def test_a_float_sent_raw_is_refused_as_binance_does(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    client = make_client(paper_exchange.url)
    with pytest.raises(BinanceAPIException) as refused:
        client.create_order(symbol="DOGEUSDT", side="BUY", type="MARKET", quantity=0.00001)  # str() gives '1e-05'
    assert (refused.value.status_code, refused.value.code) == (400, -1100)
    assert "quantity" in refused.value.message
