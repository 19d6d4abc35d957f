"""Spot orders need the funds (locked while the order is open); futures orders need
margin (notional / leverage, less what positions and open orders already use)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_account,
    engine_change_leverage,
    engine_fund,
    engine_new_order,
    engine_position_risk,
)
from execution_app.models_paper import PaperOrder
from petrosa.core.market import price_set


@pytest.fixture
def small_account(db: Any, settings: Any) -> None:
    settings.PAPER_STARTING_EQUITY = "1000"
    settings.PAPER_TAKER_FEE_RATE = "0.001"
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def refused(params: dict[str, str], market: str) -> tuple[int, str]:
    with pytest.raises(PaperBinanceError) as caught:
        engine_new_order(params, market=market)
    return caught.value.code, caught.value.msg


def test_spot_buy_beyond_the_quote_balance_is_refused(small_account: None) -> None:
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.03"}  # 1500 USDT
    assert refused(params, "spot") == (-2010, "Account has insufficient balance for requested action.")
    assert not PaperOrder.objects.exists()


def test_spot_sell_without_the_base_asset_is_refused(small_account: None) -> None:
    params = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.001"}
    assert refused(params, "spot")[0] == -2010
    engine_fund(market="spot", asset="BTC", amount=D("0.001"))
    assert engine_new_order(params, market="spot")["status"] == "FILLED"


def test_funds_locked_by_an_open_order_cannot_be_spent_twice(small_account: None) -> None:
    limit = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.015",
             "price": "40000"}  # locks 600
    engine_new_order(limit, market="spot")
    usdt = engine_account({"omitZeroBalances": "true"}, market="spot")["balances"]
    assert usdt == [{"asset": "USDT", "free": "400.00000000", "locked": "600.00000000"}]
    assert refused(limit, "spot")[0] == -2010


def test_futures_margin_is_notional_over_leverage(small_account: None) -> None:
    # 0.3 BTC = 15000 notional; at 20x it needs 750 of the 1000 wallet
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.3"}, market="usdm")
    account = engine_account({}, market="usdm")
    assert (account["totalPositionInitialMargin"], account["availableBalance"]) == ("750", "235")  # 1000-15-750
    # another 0.1 needs 250 > 235 available
    assert refused({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}, "usdm") == (
        -2019, "Margin is insufficient.")


def test_closing_needs_no_margin_and_flipping_needs_margin_for_the_new_side(small_account: None) -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.3"}, market="usdm")
    # selling 0.3 closes: allowed even though available is only 235
    engine_new_order({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.3"}, market="usdm")
    assert engine_position_risk({}, market="usdm") == []
    # selling 0.8 from flat needs 0.8 x 50000 / 20 = 2000 > 970 wallet
    assert refused({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.8"}, "usdm")[0] == -2019


def test_open_futures_orders_reserve_margin(small_account: None) -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                      "quantity": "0.3", "price": "48000"}, market="usdm")
    account = engine_account({}, market="usdm")
    assert (account["totalOpenOrderInitialMargin"], account["availableBalance"]) == ("720", "280")


def test_higher_leverage_frees_margin(small_account: None) -> None:
    assert engine_change_leverage({"symbol": "BTCUSDT", "leverage": "50"}, market="usdm")["leverage"] == 50
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.9"}, market="usdm")
    risk = engine_position_risk({"symbol": "BTCUSDT"}, market="usdm", version=2)[0]
    assert (risk["leverage"], risk["positionAmt"], risk["marginType"]) == ("50", "0.9", "cross")


def test_unrealized_loss_reduces_available_margin(small_account: None) -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}, market="usdm")
    price_set(symbol="BTCUSDT", price=D("45000"), source="test")
    account = engine_account({}, market="usdm")
    # wallet 995; unrealized (45000-50000) x 0.1 = -500; margin 4500/20 = 225
    assert (account["totalUnrealizedProfit"], account["availableBalance"]) == ("-500", "270")
