"""Stop and take-profit orders wait for their trigger and fire as the price moves:
spot STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT, futures STOP_MARKET / TAKE_PROFIT_MARKET
(with closePosition) and STOP / TAKE_PROFIT through the algo endpoint."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_account,
    engine_cancel_algo_order,
    engine_fund,
    engine_my_trades,
    engine_new_algo_order,
    engine_new_order,
    engine_on_price,
    engine_open_algo_orders,
    engine_position_risk,
    engine_query_algo_order,
    engine_query_order,
)
from petrosa.core.market import price_set


@pytest.fixture
def book(db: Any, settings: Any) -> None:
    settings.PAPER_BOOK_LEVELS = 5
    settings.PAPER_BOOK_LEVEL_SPACING_BPS = "10"
    settings.PAPER_BOOK_LEVEL_NOTIONAL = "10000"
    settings.PAPER_TAKER_FEE_RATE = "0.001"
    settings.PAPER_MAKER_FEE_RATE = "0.0005"
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def tick(price: str, market: str) -> list[str]:
    price_set(symbol="BTCUSDT", price=D(price), source="test")
    return engine_on_price("BTCUSDT", price, market=market)


def spot_stop(order_type: str, side: str, stop: str, price: str, client_id: str) -> dict[str, Any]:
    return engine_new_order({"symbol": "BTCUSDT", "side": side, "type": order_type, "quantity": "0.1",
                             "stopPrice": stop, "price": price, "timeInForce": "GTC",
                             "newClientOrderId": client_id}, market="spot")


def base_balance() -> tuple[D, D]:
    row = next(b for b in engine_account({}, market="spot")["balances"] if b["asset"] == "BTC")
    return D(row["free"]), D(row["locked"])


def test_spot_stop_loss_limit_waits_then_sells_when_the_price_falls(book: None) -> None:
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    ack = spot_stop("STOP_LOSS_LIMIT", "SELL", "49000", "48900", "sl")
    assert set(ack) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}  # ACK by default
    waiting = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "sl"}, market="spot")
    assert (waiting["status"], waiting["isWorking"], waiting["workingTime"], waiting["stopPrice"]) == (
        "NEW", False, -1, "49000.00000000")
    assert base_balance() == (D("0.9"), D("0.1"))
    assert tick("49500", "spot") == []
    assert tick("48990", "spot") == ["sl"]
    done = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "sl"}, market="spot")
    assert (done["status"], done["isWorking"], done["cummulativeQuoteQty"]) == ("FILLED", True, "4899.00000000")
    assert base_balance() == (D("0.9"), D("0"))


def test_spot_take_profit_limit_sells_when_the_price_rises(book: None) -> None:
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    spot_stop("TAKE_PROFIT_LIMIT", "SELL", "51000", "51000", "tp")
    assert tick("50900", "spot") == []
    assert tick("51000", "spot") == ["tp"]
    trade = engine_my_trades({"symbol": "BTCUSDT"}, market="spot")[0]
    assert (trade["price"], trade["commissionAsset"]) == ("51000.00000000", "USDT")


def test_spot_buy_stop_limit_locks_quote_and_buys_on_the_way_up(book: None) -> None:
    spot_stop("STOP_LOSS_LIMIT", "BUY", "50500", "50600", "breakout")
    assert tick("50500", "spot") == ["breakout"]
    done = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "breakout"}, market="spot")
    assert (done["status"], done["cummulativeQuoteQty"]) == ("FILLED", "5050.00000000")
    usdt = next(b for b in engine_account({}, market="spot")["balances"] if b["asset"] == "USDT")
    assert (usdt["free"], usdt["locked"]) == ("94950.00000000", "0.00000000")


def test_a_stop_that_would_fire_at_once_is_rejected(book: None) -> None:
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    with pytest.raises(PaperBinanceError) as caught:
        spot_stop("STOP_LOSS_LIMIT", "SELL", "50500", "50400", "late")
    assert (caught.value.code, caught.value.msg) == (-2010, "Order would trigger immediately.")


def test_stop_types_the_symbol_does_not_list_are_refused(book: None) -> None:
    with pytest.raises(PaperBinanceError) as caught:
        engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_LOSS", "quantity": "0.1",
                          "stopPrice": "49000"}, market="spot")
    assert (caught.value.code, caught.value.msg) == (-2010, "Stop loss orders are not supported for this symbol.")


def open_long(qty: str = "0.1") -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": qty}, market="usdm")


def close_all(order_type: str, trigger: str, client_id: str) -> dict[str, Any]:
    return engine_new_algo_order({"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL",
                                  "type": order_type, "triggerPrice": trigger, "closePosition": "true",
                                  "clientAlgoId": client_id}, market="usdm")


def test_futures_take_profit_market_closes_the_position_and_the_stop_then_expires(book: None) -> None:
    open_long()
    stop = close_all("STOP_MARKET", "49000", "sl-1")
    take = close_all("TAKE_PROFIT_MARKET", "51000", "tp-1")
    assert (stop["algoStatus"], stop["closePosition"], take["orderType"]) == ("NEW", True, "TAKE_PROFIT_MARKET")
    assert [a["clientAlgoId"] for a in engine_open_algo_orders({"symbol": "BTCUSDT"}, market="usdm")] == [
        "sl-1", "tp-1"]
    assert tick("50500", "usdm") == []
    assert tick("51000", "usdm") == ["tp-1"]
    placed = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "tp-1"}, market="usdm")
    assert (placed["status"], placed["type"], placed["origType"], placed["executedQty"]) == (
        "FILLED", "MARKET", "TAKE_PROFIT_MARKET", "0.1")
    algo = engine_query_algo_order({"clientAlgoId": "tp-1"}, market="usdm")
    assert (algo["algoStatus"], algo["actualOrderId"]) == ("TRIGGERED", str(placed["orderId"]))
    assert engine_position_risk({"symbol": "BTCUSDT"}, market="usdm") == []  # flat: v3 lists nothing
    # the stop has nothing left to close when it fires
    assert tick("48000", "usdm") == ["sl-1"]
    assert engine_query_algo_order({"clientAlgoId": "sl-1"}, market="usdm")["algoStatus"] == "EXPIRED"


def test_futures_stop_limit_algo_places_a_limit_when_triggered(book: None) -> None:
    engine_new_algo_order({"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "BUY", "type": "STOP",
                           "quantity": "0.1", "triggerPrice": "50500", "price": "50600",
                           "clientAlgoId": "buy-stop"}, market="usdm")
    assert tick("50500", "usdm") == ["buy-stop"]
    placed = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "buy-stop"}, market="usdm")
    assert (placed["type"], placed["origType"], placed["status"], placed["avgPrice"]) == (
        "LIMIT", "STOP", "FILLED", "50500")


def test_futures_reduce_only_stop_closes_no_more_than_the_position(book: None) -> None:
    open_long("0.1")
    engine_new_algo_order({"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET",
                           "quantity": "0.3", "triggerPrice": "49500", "reduceOnly": "true",
                           "clientAlgoId": "ro"}, market="usdm")
    tick("49500", "usdm")
    placed = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "ro"}, market="usdm")
    assert (placed["executedQty"], placed["status"]) == ("0.1", "EXPIRED")


def test_futures_conditional_rejections(book: None) -> None:
    with pytest.raises(PaperBinanceError) as immediate:
        close_all("STOP_MARKET", "50500", "wrong-way")
    assert immediate.value.code == -2021
    with pytest.raises(PaperBinanceError) as wrong_endpoint:
        engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "stopPrice": "49000",
                          "closePosition": "true"}, market="usdm")
    assert wrong_endpoint.value.code == -4120
    with pytest.raises(PaperBinanceError) as with_quantity:
        engine_new_algo_order({"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "triggerPrice": "49000",
                               "closePosition": "true", "quantity": "0.1"}, market="usdm")
    assert with_quantity.value.code == -4137


def test_cancelled_algo_order_never_fires(book: None) -> None:
    open_long()
    close_all("STOP_MARKET", "49000", "sl-2")
    answer = engine_cancel_algo_order({"symbol": "BTCUSDT", "clientAlgoId": "sl-2"}, market="usdm")
    assert (answer["clientAlgoId"], answer["msg"]) == ("sl-2", "success")
    assert tick("48000", "usdm") == []
    assert engine_position_risk({"symbol": "BTCUSDT"}, market="usdm")[0]["positionAmt"] == "0.1"
