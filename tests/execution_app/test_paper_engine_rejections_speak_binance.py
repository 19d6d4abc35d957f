"""The paper engine refuses what Binance refuses, with Binance's code and message:
filter failures name the filter, bad parameters, precision, duplicate client ids,
unknown orders. A refused order leaves nothing behind."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_all_orders,
    engine_cancel_order,
    engine_new_order,
    engine_query_order,
    engine_test_order,
)
from execution_app.models_paper import PaperOrder
from petrosa.core.market import price_set


@pytest.fixture
def priced(db: Any) -> None:
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def refusal(params: dict[str, str], market: str = "spot") -> tuple[int, str]:
    with pytest.raises(PaperBinanceError) as caught:
        engine_new_order(params, market=market)
    assert caught.value.http_status == 400
    return caught.value.code, caught.value.msg


def order(**overrides: str) -> dict[str, str]:
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
              "price": "49000"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v != ""}


@pytest.mark.parametrize(
    ("overrides", "filter_name"),
    [
        ({"quantity": "0.000001"}, "LOT_SIZE"),  # below minQty 0.00001
        ({"quantity": "0.000015"}, "LOT_SIZE"),  # off the 0.00001 step
        ({"price": "49000.005"}, "PRICE_FILTER"),  # off the 0.01 tick
        ({"quantity": "0.0001"}, "NOTIONAL"),  # 4.9 USDT < minNotional 10
        ({"price": "5000"}, "PERCENT_PRICE_BY_SIDE"),  # below 0.2 x 50000
        ({"type": "MARKET", "quantity": "170", "price": "", "timeInForce": ""}, "MARKET_LOT_SIZE"),
    ],
)
def test_spot_filter_failures_name_the_filter(priced: None, overrides: dict[str, str], filter_name: str) -> None:
    assert refusal(order(**overrides)) == (-1013, f"Filter failure: {filter_name}")
    assert not PaperOrder.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"quantity": "0.001", "price": "49000"}, -4164),  # 49 USDT < MIN_NOTIONAL 100
        ({"quantity": "0.0015"}, -1111),  # quantityPrecision 3
        ({"price": "49000.05"}, -4014),  # pricePrecision 2 but tick 0.10
        ({"price": "60000"}, -4016),  # above mark x 1.05
    ],
)
def test_futures_filter_failures_use_the_futures_codes(priced: None, overrides: dict[str, str], code: int) -> None:
    params = order(quantity="0.01", **{k: v for k, v in overrides.items() if k != "quantity"})
    if "quantity" in overrides:
        params["quantity"] = overrides["quantity"]
    assert refusal(params, market="usdm")[0] == code


def test_futures_reduce_only_is_exempt_from_min_notional(priced: None) -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"}, market="usdm")
    assert refusal({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.001"}, "usdm")[0] == -4164
    answer = engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.001",
                               "reduceOnly": "true", "newOrderRespType": "RESULT"}, market="usdm")
    assert answer["status"] == "FILLED"


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"quantity": ""}, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."),
        ({"timeInForce": ""}, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
        ({"quantity": "1e-05"}, -1100,
         "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
        ({"type": "ICEBERG"}, -1116, "Invalid orderType."),
        ({"side": "HOLD"}, -1117, "Invalid side."),
        ({"timeInForce": "GTX"}, -1115, "Invalid timeInForce."),
        ({"symbol": "NOPEUSDT"}, -1121, "Invalid symbol."),
        ({"stopPrice": "48000"}, -1106, "Parameter 'stopPrice' sent when not required."),
        ({"quantity": "0.000000001"}, -1111, "Parameter 'quantity' has too much precision."),
        ({"newClientOrderId": "has spaces"}, -1100,
         "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."),
    ],
)
def test_malformed_requests_get_binance_parameter_errors(
    priced: None, overrides: dict[str, str], code: int, message: str
) -> None:
    assert refusal(order(**overrides)) == (code, message)


def test_market_order_with_a_price_is_refused(priced: None) -> None:
    assert refusal(order(type="MARKET", timeInForce=""))[0] == -1106


def test_no_market_price_means_the_market_is_closed(db: Any) -> None:
    assert refusal(order()) == (-2010, "Market is closed.")


def test_duplicate_client_order_id_while_open_is_refused_then_free_once_closed(priced: None) -> None:
    engine_new_order(order(newClientOrderId="same"), market="spot")
    assert refusal(order(newClientOrderId="same")) == (-2010, "Duplicate order sent.")
    engine_cancel_order({"symbol": "BTCUSDT", "origClientOrderId": "same"}, market="spot")
    again = engine_new_order(order(newClientOrderId="same"), market="spot")
    # a lookup by client id finds the newest order with it
    found = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "same"}, market="spot")
    assert found["orderId"] == again["orderId"] and found["status"] == "NEW"
    assert [o["status"] for o in engine_all_orders({"symbol": "BTCUSDT"}, market="spot")] == ["CANCELED", "NEW"]


def test_futures_duplicate_client_order_id_is_4116(priced: None) -> None:
    engine_new_order(order(quantity="0.01", newClientOrderId="dup"), market="usdm")
    assert refusal(order(quantity="0.01", newClientOrderId="dup"), market="usdm")[0] == -4116


def test_unknown_orders(priced: None) -> None:
    with pytest.raises(PaperBinanceError) as query:
        engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "ghost"}, market="spot")
    assert (query.value.code, query.value.msg) == (-2013, "Order does not exist.")
    with pytest.raises(PaperBinanceError) as cancel:
        engine_cancel_order({"symbol": "BTCUSDT", "orderId": "999"}, market="usdm")
    assert cancel.value.code == -2011
    with pytest.raises(PaperBinanceError) as neither:
        engine_query_order({"symbol": "BTCUSDT"}, market="spot")
    assert neither.value.code == -1102


def test_test_order_validates_without_placing(priced: None) -> None:
    assert engine_test_order(order(), market="spot") == {}
    assert not PaperOrder.objects.exists()
    with pytest.raises(PaperBinanceError) as caught:
        engine_test_order(order(quantity="0.000001"), market="spot")
    assert caught.value.msg == "Filter failure: LOT_SIZE"
