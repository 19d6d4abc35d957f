"""Limit orders on the paper engine: GTC rests and fills as maker when the price
reaches it, a marketable limit takes what the book holds up to its price and
rests the rest, IOC expires the rest, FOK is all or nothing, post-only never takes."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_account,
    engine_cancel_order,
    engine_my_trades,
    engine_new_order,
    engine_on_price,
    engine_open_orders,
    engine_query_order,
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
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def limit(side: str, qty: str, price: str, tif: str = "GTC", market: str = "spot", **extra: str) -> dict[str, Any]:
    params = {"symbol": "BTCUSDT", "side": side, "type": "LIMIT", "quantity": qty, "price": price,
              "timeInForce": tif, "newOrderRespType": "RESULT", **extra}
    return engine_new_order(params, market=market)


def usdt(market: str = "spot") -> tuple[D, D]:
    row = next(b for b in engine_account({}, market=market)["balances"] if b["asset"] == "USDT")
    return D(row["free"]), D(row["locked"])


def test_gtc_limit_below_the_market_rests_with_quote_locked(book: None) -> None:
    answer = limit("BUY", "0.1", "49000", newClientOrderId="dip")
    assert (answer["status"], answer["executedQty"]) == ("NEW", "0.00000000")
    assert usdt() == (D("95100"), D("4900"))
    assert [o["clientOrderId"] for o in engine_open_orders({"symbol": "BTCUSDT"}, market="spot")] == ["dip"]


def test_resting_limit_fills_as_maker_when_the_price_reaches_it(book: None) -> None:
    limit("BUY", "0.1", "49000", newClientOrderId="dip")
    assert engine_on_price("BTCUSDT", "49500", market="spot") == []
    assert engine_on_price("BTCUSDT", "48990", market="spot") == ["dip"]
    trade = engine_my_trades({"symbol": "BTCUSDT"}, market="spot")[0]
    # maker: at its own limit price, maker fee (0.05 %) in the asset received
    assert (trade["price"], trade["isMaker"], trade["commission"], trade["commissionAsset"]) == (
        "49000.00000000", True, "0.00005000", "BTC")
    assert usdt() == (D("95100"), D("0"))
    assert engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "dip"}, market="spot")["status"] == "FILLED"


def test_marketable_limit_takes_the_book_up_to_its_price_and_rests_the_rest(book: None) -> None:
    """Asks: 0.2 @ 50000, 0.2 @ 50050, 0.2 @ 50100. A BUY 0.5 @ 50050 takes 0.4 and rests 0.1."""
    answer = limit("BUY", "0.5", "50050", newClientOrderId="sweep")
    assert (answer["status"], answer["executedQty"]) == ("PARTIALLY_FILLED", "0.40000000")
    # the taker part paid its level prices; the lock keeps the rest at the limit price
    assert answer["cummulativeQuoteQty"] == "20010.00000000"
    assert usdt() == (D("100000") - D("20010") - D("5005"), D("5005"))
    # the next tick at the same price refreshes the book: the remainder fills as maker
    assert engine_on_price("BTCUSDT", "50000", market="spot") == ["sweep"]
    final = engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "sweep"}, market="spot")
    assert (final["status"], final["executedQty"]) == ("FILLED", "0.50000000")
    assert [t["isMaker"] for t in engine_my_trades({"symbol": "BTCUSDT"}, market="spot")] == [False, False, True]
    assert usdt()[1] == 0


def test_big_resting_order_fills_over_several_ticks(book: None) -> None:
    limit("BUY", "0.5", "49000", newClientOrderId="big")
    engine_on_price("BTCUSDT", "49000", market="spot")  # only level 0 (10,000 / 49,000 BTC) is at 49000
    assert engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "big"}, market="spot")["executedQty"] == \
        "0.20408000"
    engine_on_price("BTCUSDT", "48900", market="spot")  # levels 0..2 are at or below 49000
    assert engine_query_order({"symbol": "BTCUSDT", "origClientOrderId": "big"}, market="spot")["status"] == "FILLED"


def test_ioc_takes_what_it_can_and_expires_the_rest(book: None) -> None:
    answer = limit("BUY", "0.5", "50000", tif="IOC")
    assert (answer["status"], answer["executedQty"]) == ("EXPIRED", "0.20000000")
    assert usdt() == (D("90000"), D("0"))
    assert engine_open_orders({"symbol": "BTCUSDT"}, market="spot") == []


def test_fok_fills_entirely_or_not_at_all(book: None) -> None:
    too_big = limit("BUY", "0.5", "50050", tif="FOK")
    assert (too_big["status"], too_big["executedQty"]) == ("EXPIRED", "0.00000000")
    fits = limit("BUY", "0.4", "50050", tif="FOK")
    assert (fits["status"], fits["executedQty"]) == ("FILLED", "0.40000000")


def test_futures_fok_that_cannot_fill_is_rejected(book: None) -> None:
    with pytest.raises(PaperBinanceError) as caught:
        limit("BUY", "0.5", "50050", tif="FOK", market="usdm")
    assert caught.value.code == -5021
    assert engine_open_orders({}, market="usdm") == []


def test_futures_post_only_that_would_take_is_rejected_and_one_that_would_not_rests(book: None) -> None:
    with pytest.raises(PaperBinanceError) as caught:
        limit("BUY", "0.1", "50000", tif="GTX", market="usdm")
    assert (caught.value.code, caught.value.http_status) == (-5022, 400)
    rested = limit("BUY", "0.1", "49900", tif="GTX", market="usdm")
    assert (rested["status"], rested["timeInForce"]) == ("NEW", "GTX")


def test_spot_limit_maker_that_would_take_is_rejected(book: None) -> None:
    with pytest.raises(PaperBinanceError) as caught:
        engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT_MAKER", "quantity": "0.1",
                          "price": "49990"}, market="spot")
    assert (caught.value.code, caught.value.msg) == (-2010, "Order would immediately match and take.")


def test_cancel_releases_the_lock_and_a_second_cancel_is_unknown(book: None) -> None:
    limit("BUY", "0.1", "49000", newClientOrderId="dip")
    answer = engine_cancel_order({"symbol": "BTCUSDT", "origClientOrderId": "dip"}, market="spot")
    assert (answer["status"], answer["origClientOrderId"]) == ("CANCELED", "dip")
    assert usdt() == (D("100000"), D("0"))
    with pytest.raises(PaperBinanceError) as caught:
        engine_cancel_order({"symbol": "BTCUSDT", "origClientOrderId": "dip"}, market="spot")
    assert (caught.value.code, caught.value.msg) == (-2011, "Unknown order sent.")


def test_futures_resting_limit_fills_when_the_price_reaches_it(book: None) -> None:
    limit("SELL", "0.1", "50500", market="usdm", newClientOrderId="offer")
    assert engine_on_price("BTCUSDT", "50600", market="usdm") == ["offer"]
    trade = engine_my_trades({"symbol": "BTCUSDT"}, market="usdm")[0]
    assert (trade["price"], trade["maker"], trade["commission"]) == ("50500", True, "2.525")
