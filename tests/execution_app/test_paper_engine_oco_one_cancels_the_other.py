"""Spot OCO on the paper engine: the quantity is held once, and when one leg fills
or triggers the other is cancelled; cancelling one leg cancels the list."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_account,
    engine_cancel_order,
    engine_cancel_order_list,
    engine_fund,
    engine_new_oco,
    engine_on_price,
    engine_open_order_lists,
    engine_query_order,
    engine_query_order_list,
)
from petrosa.core.market import price_set


@pytest.fixture
def holding(db: Any, settings: Any) -> None:
    settings.PAPER_BOOK_LEVEL_NOTIONAL = "10000"
    settings.PAPER_BOOK_LEVEL_SPACING_BPS = "10"
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")
    engine_fund(market="spot", asset="BTC", amount=D("1"))


def sell_oco(**extra: str) -> dict[str, Any]:
    params = {"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.1", "listClientOrderId": "exit",
              "aboveType": "LIMIT_MAKER", "abovePrice": "51000", "aboveClientOrderId": "exit-tp",
              "belowType": "STOP_LOSS_LIMIT", "belowStopPrice": "49000", "belowPrice": "48900",
              "belowTimeInForce": "GTC", "belowClientOrderId": "exit-sl", **extra}
    return engine_new_oco(params)


def btc() -> tuple[D, D]:
    row = next(b for b in engine_account({}, market="spot")["balances"] if b["asset"] == "BTC")
    return D(row["free"]), D(row["locked"])


def status(client_id: str) -> str:
    return engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": client_id}, market="spot")["status"]


def test_placing_an_oco_holds_the_quantity_once(holding: None) -> None:
    answer = sell_oco()
    assert (answer["contingencyType"], answer["listStatusType"], answer["listOrderStatus"]) == (
        "OCO", "EXEC_STARTED", "EXECUTING")
    assert [o["clientOrderId"] for o in answer["orders"]] == ["exit-sl", "exit-tp"]
    assert [r["type"] for r in answer["orderReports"]] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]
    assert btc() == (D("0.9"), D("0.1"))


def test_limit_leg_filling_cancels_the_stop(holding: None) -> None:
    sell_oco()
    price_set(symbol="BTCUSDT", price=D("51000"), source="test")
    assert engine_on_price("BTCUSDT", "51000", market="spot") == ["exit-tp"]
    assert (status("exit-tp"), status("exit-sl")) == ("FILLED", "CANCELED")
    assert engine_query_order_list({"origClientOrderId": "exit"})["listOrderStatus"] == "ALL_DONE"
    assert btc() == (D("0.9"), D("0"))
    assert engine_open_order_lists({}) == []


def test_stop_leg_triggering_cancels_the_limit_and_sells(holding: None) -> None:
    sell_oco()
    price_set(symbol="BTCUSDT", price=D("48990"), source="test")
    assert engine_on_price("BTCUSDT", "48990", market="spot") == ["exit-sl"]
    assert (status("exit-sl"), status("exit-tp")) == ("FILLED", "CANCELED")
    assert btc() == (D("0.9"), D("0"))


def test_cancelling_one_leg_cancels_the_list(holding: None) -> None:
    sell_oco()
    answer = engine_cancel_order({"symbol": "BTCUSDT", "origClientOrderId": "exit-sl"}, market="spot")
    assert answer["status"] == "CANCELED" and answer["orderListId"] > 0
    assert status("exit-tp") == "CANCELED"
    assert btc() == (D("1"), D("0"))
    with pytest.raises(PaperBinanceError) as caught:
        engine_cancel_order_list({"symbol": "BTCUSDT", "listClientOrderId": "exit"})
    assert caught.value.code == -2011


def test_cancelling_the_list(holding: None) -> None:
    sell_oco()
    answer = engine_cancel_order_list({"symbol": "BTCUSDT", "listClientOrderId": "exit"})
    assert (answer["listStatusType"], [r["status"] for r in answer["orderReports"]]) == (
        "ALL_DONE", ["CANCELED", "CANCELED"])
    assert btc() == (D("1"), D("0"))


def test_deprecated_order_oco_form_is_understood(holding: None) -> None:
    answer = engine_new_oco({"symbol": "BTCUSDT", "side": "SELL", "quantity": "0.1", "price": "51000",
                             "stopPrice": "49000", "stopLimitPrice": "48900", "stopLimitTimeInForce": "GTC",
                             "limitClientOrderId": "old-tp", "stopClientOrderId": "old-sl"})
    assert {r["clientOrderId"]: r["type"] for r in answer["orderReports"]} == {
        "old-sl": "STOP_LOSS_LIMIT", "old-tp": "LIMIT_MAKER"}


def test_buy_oco_holds_quote_at_the_higher_leg(holding: None) -> None:
    engine_new_oco({"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.1",
                    "aboveType": "STOP_LOSS_LIMIT", "aboveStopPrice": "51000", "abovePrice": "51100",
                    "aboveTimeInForce": "GTC", "belowType": "LIMIT_MAKER", "belowPrice": "49000"})
    usdt = next(b for b in engine_account({}, market="spot")["balances"] if b["asset"] == "USDT")
    assert usdt["locked"] == "5110.00000000"


def test_legs_on_the_wrong_side_of_the_market_are_refused(holding: None) -> None:
    with pytest.raises(PaperBinanceError) as caught:
        sell_oco(abovePrice="49500")  # a SELL limit maker below the market would take
    assert (caught.value.code, caught.value.msg) == (-2010, "Order would immediately match and take.")
    with pytest.raises(PaperBinanceError) as stop:
        sell_oco(belowStopPrice="50500", belowPrice="50400")
    assert stop.value.msg == "Order would trigger immediately."
    assert btc() == (D("1"), D("0"))
