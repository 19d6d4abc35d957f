"""PaperExchange, the in-process adapter: OrderRequest in, ExchangeOrder out, Binance
errors as ExchangeRejected with a stable reason; resting and conditional orders can
be looked up, listed and cancelled by client order id."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.base import ExchangeRejected, OrderNotFound, OrderRequest
from execution_app.exchange.paper import PaperExchange
from execution_app.exchange.paper_engine import engine_change_position_mode, engine_fund, engine_on_price
from execution_app.models import OrderStatus
from petrosa.core.market import price_set


@pytest.fixture
def priced(db: Any, settings: Any) -> None:
    settings.PAPER_TAKER_FEE_RATE = "0.001"
    settings.PAPER_MAKER_FEE_RATE = "0.0005"
    price_set(symbol="BTCUSDT", price=D("50000"), source="test")


def request(client_id: str, **fields: Any) -> OrderRequest:
    values: dict[str, Any] = {"client_order_id": client_id, "symbol": "BTCUSDT", "side": "BUY",
                              "order_type": "MARKET", "quantity": D("0.01")}
    values.update(fields)
    return OrderRequest(**values)


def test_market_order_comes_back_filled_with_its_fill(priced: None) -> None:
    result = PaperExchange(market="usdm").place_order(request("pt-1-entry"))
    assert (result.status, result.executed_quantity, result.average_price) == (OrderStatus.FILLED, D("0.01"),
                                                                               D("50000"))
    (fill,) = result.fills
    assert (fill.price, fill.quantity, fill.commission, fill.commission_asset, fill.is_maker) == (
        D("50000"), D("0.01"), D("0.5"), "USDT", False)
    again = PaperExchange(market="usdm").get_order(symbol="BTCUSDT", client_order_id="pt-1-entry")
    assert again.fills == result.fills and again.exchange_order_id == result.exchange_order_id


def test_spot_buy_commission_is_in_the_base_asset(priced: None) -> None:
    result = PaperExchange(market="spot").place_order(request("pt-2-entry"))
    assert result.fills[0].commission_asset == "BTC" and result.fills[0].commission == D("0.00001")


def test_rejections_carry_the_binance_code_and_a_reason(priced: None) -> None:
    with pytest.raises(ExchangeRejected) as caught:
        PaperExchange(market="spot").place_order(request("pt-3-entry", quantity=D("0.0001")))
    assert (caught.value.code, caught.value.reason) == (-1013, "filter_notional")
    with pytest.raises(ExchangeRejected) as margin:
        PaperExchange(market="usdm").place_order(request("pt-4-entry", quantity=D("100")))
    assert (margin.value.code, margin.value.reason) == (-2019, "margin_insufficient")


def test_resting_limit_is_open_then_filled_after_a_tick(priced: None) -> None:
    exchange = PaperExchange(market="usdm")
    placed = exchange.place_order(request("pt-5-entry", order_type="LIMIT", price=D("49500")))
    assert (placed.status, placed.is_working, placed.price) == (OrderStatus.OPEN, True, D("49500"))
    assert [o.client_order_id for o in exchange.open_orders(symbol="BTCUSDT")] == ["pt-5-entry"]
    engine_on_price("BTCUSDT", "49400", market="usdm")
    filled = exchange.get_order(symbol="BTCUSDT", client_order_id="pt-5-entry")
    assert (filled.status, filled.fills[0].is_maker, filled.fills[0].commission) == (
        OrderStatus.FILLED, True, D("0.2475"))


def test_conditional_futures_order_goes_through_the_algo_endpoint(priced: None) -> None:
    exchange = PaperExchange(market="usdm")
    exchange.place_order(request("pt-6-entry", quantity=D("0.01")))
    stop = exchange.place_order(request("pt-6-sl", side="SELL", order_type="STOP_MARKET", stop_price=D("49000"),
                                        close_position=True, reduce_only=True))
    assert (stop.status, stop.is_working, stop.exchange_order_id[:5], stop.stop_price) == (
        OrderStatus.OPEN, False, "algo-", D("49000"))
    assert [o.client_order_id for o in exchange.open_orders()] == ["pt-6-sl"]
    engine_on_price("BTCUSDT", "48900", market="usdm")
    fired = exchange.get_order(symbol="BTCUSDT", client_order_id="pt-6-sl")
    assert (fired.status, fired.order_type, fired.executed_quantity) == (OrderStatus.FILLED, "STOP_MARKET", D("0.01"))
    assert exchange.positions() == []


def test_cancel_returns_the_final_state_and_is_harmless_twice(priced: None) -> None:
    exchange = PaperExchange(market="usdm")
    exchange.place_order(request("pt-7-entry", quantity=D("0.01")))
    exchange.place_order(request("pt-7-tp", side="SELL", order_type="TAKE_PROFIT_MARKET", stop_price=D("52000"),
                                 close_position=True))
    assert exchange.cancel_order(symbol="BTCUSDT", client_order_id="pt-7-tp").status == OrderStatus.CANCELED
    assert exchange.cancel_order(symbol="BTCUSDT", client_order_id="pt-7-tp").status == OrderStatus.CANCELED
    assert exchange.cancel_order(symbol="BTCUSDT", client_order_id="pt-7-entry").status == OrderStatus.FILLED
    with pytest.raises(OrderNotFound):
        exchange.cancel_order(symbol="BTCUSDT", client_order_id="never-sent")


def test_spot_post_only_limit_becomes_limit_maker(priced: None) -> None:
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    with pytest.raises(ExchangeRejected) as caught:
        PaperExchange(market="spot").place_order(
            request("pt-8-tp", side="SELL", order_type="LIMIT", price=D("49000"), time_in_force="GTX"))
    assert caught.value.reason == "post_only_would_take"


def test_hedge_mode_sends_the_position_side(priced: None) -> None:
    engine_change_position_mode({"dualSidePosition": "true"})
    exchange = PaperExchange(market="usdm")
    exchange.place_order(request("pt-9-entry", side="SELL", position_side="SHORT"))
    exchange.place_order(request("pt-9-close", side="BUY", position_side="SHORT", reduce_only=True))
    assert exchange.positions() == []
    exchange.place_order(request("pt-10-entry", position_side="LONG"))
    (position,) = exchange.positions()
    assert (position.side, position.quantity, position.position_side) == ("LONG", D("0.01"), "LONG")


def test_leverage_and_margin_type_through_the_adapter(priced: None) -> None:
    exchange = PaperExchange(market="usdm")
    assert exchange.set_leverage(symbol="BTCUSDT", leverage=7) == 7
    exchange.set_margin_type(symbol="BTCUSDT", margin_type="ISOLATED")
    exchange.set_margin_type(symbol="BTCUSDT", margin_type="ISOLATED")  # -4046 is success
    settings_now = exchange.symbol_settings(symbol="BTCUSDT")
    assert settings_now is not None and (settings_now.leverage, settings_now.margin_type) == (7, "ISOLATED")
    with pytest.raises(ExchangeRejected) as caught:
        exchange.set_leverage(symbol="BTCUSDT", leverage=500)
    assert caught.value.code == -4028
