"""Market orders on the paper engine: fills walk the synthetic book (slippage grows
with size), taker fees are charged in the asset Binance charges, balances move
to the last decimal."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    engine_account,
    engine_depth,
    engine_exchange_info,
    engine_fund,
    engine_my_trades,
    engine_new_order,
    engine_query_order,
    engine_ticker_price,
)
from petrosa.core.market import price_set


@pytest.fixture
def book(db: Any, settings: Any) -> None:
    """Levels every 10 bps holding 10,000 USDT: at 50,000 that is 0.2 BTC per level."""
    settings.PAPER_BOOK_LEVELS = 5
    settings.PAPER_BOOK_LEVEL_SPACING_BPS = "10"
    settings.PAPER_BOOK_LEVEL_NOTIONAL = "10000"
    settings.PAPER_TAKER_FEE_RATE = "0.001"
    settings.PAPER_MAKER_FEE_RATE = "0.0005"
    settings.PAPER_STARTING_EQUITY = "100000"
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def balances(market: str = "spot") -> dict[str, tuple[D, D]]:
    answer = engine_account({}, market=market)
    return {b["asset"]: (D(b["free"]), D(b["locked"])) for b in answer["balances"]}


def test_spot_market_buy_fills_at_last_price_and_pays_fee_in_base(book: None) -> None:
    answer = engine_new_order(
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1", "newClientOrderId": "buy-1"},
        market="spot",
    )
    assert answer["status"] == "FILLED" and answer["clientOrderId"] == "buy-1"
    assert answer["executedQty"] == "0.10000000" and answer["cummulativeQuoteQty"] == "5000.00000000"
    assert answer["fills"] == [{"price": "50000.00000000", "qty": "0.10000000", "commission": "0.00010000",
                                "commissionAsset": "BTC", "tradeId": answer["fills"][0]["tradeId"]}]
    assert balances() == {"BTC": (D("0.0999"), D(0)), "USDT": (D("95000"), D(0))}


def test_spot_market_sell_pays_fee_in_quote(book: None) -> None:
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    answer = engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1"},
                              market="spot")
    assert answer["fills"][0]["commission"] == "5.00000000" and answer["fills"][0]["commissionAsset"] == "USDT"
    assert balances() == {"BTC": (D("0.9"), D(0)), "USDT": (D("104995"), D(0))}


def test_slippage_grows_with_size(book: None) -> None:
    """0.5 BTC takes 0.2 @ 50000, 0.2 @ 50050 and 0.1 @ 50100: average 50040."""
    small = engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.2"},
                             market="spot")
    big = engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.5"},
                           market="spot")
    assert [f["price"] for f in big["fills"]] == ["50000.00000000", "50050.00000000", "50100.00000000"]
    small_avg = D(small["cummulativeQuoteQty"]) / D(small["executedQty"])
    big_avg = D(big["cummulativeQuoteQty"]) / D(big["executedQty"])
    assert (small_avg, big_avg) == (D("50000"), D("50040"))


def test_market_sell_walks_the_bids_down(book: None) -> None:
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    answer = engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.3"},
                              market="spot")
    assert [(f["price"], f["qty"]) for f in answer["fills"]] == [
        ("50000.00000000", "0.20000000"), ("49950.00000000", "0.10000000")]


def test_market_order_bigger_than_the_book_fills_what_is_there_and_expires(book: None) -> None:
    engine_fund(market="spot", asset="USDT", amount=D("100000"))
    answer = engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "1.5"},
                              market="spot")
    assert (answer["status"], answer["executedQty"]) == ("EXPIRED", "1.00000000")
    assert balances()["USDT"][1] == 0  # nothing stays locked


def test_quote_order_qty_spends_at_most_the_quote(book: None) -> None:
    answer = engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "1000"},
                              market="spot")
    assert (answer["status"], answer["executedQty"], answer["cummulativeQuoteQty"]) == (
        "FILLED", "0.02000000", "1000.00000000")


def test_futures_market_order_charges_usdt_and_opens_a_position(book: None) -> None:
    answer = engine_new_order(
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1", "newOrderRespType": "RESULT"},
        market="usdm",
    )
    assert (answer["status"], answer["avgPrice"], answer["cumQuote"]) == ("FILLED", "50000", "5000")
    trade = engine_my_trades({"symbol": "BTCUSDT"}, market="usdm")[0]
    assert (trade["commission"], trade["commissionAsset"], trade["maker"]) == ("5", "USDT", False)
    account = engine_account({}, market="usdm")
    assert account["totalWalletBalance"] == "99995"
    position = next(p for p in account["positions"] if p["symbol"] == "BTCUSDT")
    assert (position["positionAmt"], position["entryPrice"], position["positionInitialMargin"]) == (
        "0.1", "50000", "250")  # 5000 notional / 20x default leverage


def test_futures_ack_answers_before_matching_and_query_shows_the_fill(book: None) -> None:
    ack = engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1",
                            "newClientOrderId": "short-1"}, market="usdm")
    assert (ack["status"], ack["executedQty"]) == ("NEW", "0")
    queried = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "short-1"}, market="usdm")
    assert (queried["status"], queried["executedQty"], queried["positionSide"]) == ("FILLED", "0.1", "BOTH")


def test_futures_round_trip_realizes_pnl_net_of_fees_into_the_wallet(book: None) -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}, market="usdm")
    price_set(symbol="BTCUSDT", price=D("51000"), source="test")
    account = engine_account({}, market="usdm")
    assert account["totalUnrealizedProfit"] == "100"
    engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1"}, market="usdm")
    trades = engine_my_trades({"symbol": "BTCUSDT"}, market="usdm")
    assert [t["realizedPnl"] for t in trades] == ["0", "100"]
    # 100000 - 5 (fee at 50000) + 100 (realized) - 5.1 (fee at 51000)
    assert engine_account({}, market="usdm")["totalWalletBalance"] == "100089.9"


def test_depth_shows_the_book_the_orders_walk(book: None) -> None:
    depth = engine_depth({"symbol": "BTCUSDT", "limit": "3"}, market="spot")
    assert depth["asks"] == [["50000.00000000", "0.20000000"], ["50050.00000000", "0.20000000"],
                             ["50100.00000000", "0.20000000"]]
    assert [level[0] for level in depth["bids"]] == ["50000.00000000", "49950.00000000", "49900.00000000"]



def test_exchange_info_and_tickers_come_from_the_snapshot_and_the_last_price(book: None) -> None:
    info = engine_exchange_info(market="usdm")
    assert "BTCUSDT" in {s["symbol"] for s in info["symbols"]} and info["serverTime"] > 0
    assert engine_ticker_price({"symbol": "BTCUSDT"}, market="spot") == {"symbol": "BTCUSDT",
                                                                         "price": "50000.00000000"}
    assert [t["symbol"] for t in engine_ticker_price({}, market="usdm")] == ["BTCUSDT"]  # only priced symbols
