"""Futures account settings on the paper engine: hedge mode keeps LONG and SHORT
positions apart, and leverage, margin type and position mode change with
Binance's answers (-4028, -4046, -4047, -4048, -4059, -4061, -4067, -4068)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.paper_engine import (
    PaperBinanceError,
    engine_cancel_all,
    engine_change_leverage,
    engine_change_margin_type,
    engine_change_position_mode,
    engine_get_position_mode,
    engine_new_order,
    engine_position_risk,
)
from petrosa.core.market import price_set


@pytest.fixture
def priced(db: Any) -> None:
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def market(side: str, qty: str, **extra: str) -> dict[str, Any]:
    return engine_new_order({"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": qty,
                             "newOrderRespType": "RESULT", **extra}, market="usdm")


def code_of(call: Any, *args: Any, **kwargs: Any) -> int:
    with pytest.raises(PaperBinanceError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def positions() -> dict[str, str]:
    return {p["positionSide"]: p["positionAmt"] for p in engine_position_risk({"symbol": "BTCUSDT"}, market="usdm")}


def test_hedge_mode_keeps_long_and_short_apart(priced: None) -> None:
    assert engine_get_position_mode({}, market="usdm") == {"dualSidePosition": False}
    assert engine_change_position_mode({"dualSidePosition": "true"}) == {"code": 200, "msg": "success"}
    market("BUY", "0.2", positionSide="LONG")
    market("SELL", "0.1", positionSide="SHORT")
    assert positions() == {"LONG": "0.2", "SHORT": "-0.1"}
    # SELL on LONG closes the long only
    market("SELL", "0.2", positionSide="LONG")
    assert positions() == {"SHORT": "-0.1"}


def test_hedge_mode_needs_a_matching_position_side(priced: None) -> None:
    engine_change_position_mode({"dualSidePosition": "true"})
    assert code_of(market, "BUY", "0.1") == -4061  # BOTH in hedge mode
    assert code_of(market, "BUY", "0.1", positionSide="LONG", reduceOnly="true") == -1106
    # closing more than the long holds
    assert code_of(market, "SELL", "0.1", positionSide="LONG") == -2022


def test_one_way_mode_refuses_long_and_short(priced: None) -> None:
    assert code_of(market, "BUY", "0.1", positionSide="LONG") == -4061


def test_one_way_reduce_only_needs_a_position_to_reduce(priced: None) -> None:
    assert code_of(market, "SELL", "0.1", reduceOnly="true") == -2022
    market("BUY", "0.1")
    closed = market("SELL", "0.3", reduceOnly="true")
    assert (closed["status"], closed["executedQty"]) == ("EXPIRED", "0.1")  # capped at the position
    assert positions() == {}


def test_one_way_sell_past_the_long_flips_to_short(priced: None) -> None:
    market("BUY", "0.1")
    market("SELL", "0.3")
    risk = engine_position_risk({"symbol": "BTCUSDT"}, market="usdm")[0]
    assert (risk["positionSide"], risk["positionAmt"], risk["entryPrice"]) == ("BOTH", "-0.2", "50000")


def test_position_mode_changes_are_refused_when_pointless_or_exposed(priced: None) -> None:
    assert code_of(engine_change_position_mode, {"dualSidePosition": "false"}) == -4059
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                      "quantity": "0.01", "price": "49000"}, market="usdm")
    assert code_of(engine_change_position_mode, {"dualSidePosition": "true"}) == -4067
    market("BUY", "0.01")
    engine_cancel_all({"symbol": "BTCUSDT"}, market="usdm")
    assert code_of(engine_change_position_mode, {"dualSidePosition": "true"}) == -4068


def test_leverage_changes_and_invalid_values(priced: None) -> None:
    assert engine_change_leverage({"symbol": "BTCUSDT", "leverage": "10"}) == {
        "leverage": 10, "maxNotionalValue": "100000000", "symbol": "BTCUSDT"}
    assert code_of(engine_change_leverage, {"symbol": "BTCUSDT", "leverage": "0"}) == -4028
    assert code_of(engine_change_leverage, {"symbol": "BTCUSDT", "leverage": "126"}) == -4028
    risk = engine_position_risk({"symbol": "BTCUSDT"}, market="usdm", version=2)[0]
    assert (risk["leverage"], risk["positionAmt"]) == ("10", "0")


def test_margin_type_changes_once_and_says_no_need_the_second_time(priced: None) -> None:
    assert engine_change_margin_type({"symbol": "BTCUSDT", "marginType": "ISOLATED"}) == {
        "code": 200, "msg": "success"}
    with pytest.raises(PaperBinanceError) as caught:
        engine_change_margin_type({"symbol": "BTCUSDT", "marginType": "ISOLATED"})
    assert (caught.value.code, caught.value.msg) == (-4046, "No need to change margin type.")
    market("BUY", "0.01")
    assert code_of(engine_change_margin_type, {"symbol": "BTCUSDT", "marginType": "CROSSED"}) == -4048
    risk = engine_position_risk({"symbol": "BTCUSDT"}, market="usdm", version=2)[0]
    assert (risk["marginType"], risk["isolatedMargin"]) == ("isolated", "25")  # 500 / 20


def test_isolated_leverage_cannot_drop_under_an_open_position(priced: None) -> None:
    engine_change_margin_type({"symbol": "BTCUSDT", "marginType": "ISOLATED"})
    market("BUY", "0.01")
    assert code_of(engine_change_leverage, {"symbol": "BTCUSDT", "leverage": "5"}) == -4161


def test_margin_type_cannot_change_with_open_orders(priced: None) -> None:
    engine_new_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                      "quantity": "0.01", "price": "49000"}, market="usdm")
    assert code_of(engine_change_margin_type, {"symbol": "BTCUSDT", "marginType": "ISOLATED"}) == -4047
