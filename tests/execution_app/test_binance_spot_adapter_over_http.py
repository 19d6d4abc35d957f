"""The spot adapter drives python-binance against the paper exchange server over
HTTP: every order type, OCO, query, cancel and open orders, by our client order id."""

from __future__ import annotations

from decimal import Decimal

import pytest

from execution_app.exchange.base import OrderNotFound, OrderRequest
from execution_app.exchange.binance import BinanceSpotExchange, OcoRequest
from execution_app.exchange.paper_engine import engine_fund
from execution_app.models import OrderStatus
from tests.execution_app.binance_server import PaperExchangeHandle, paper_exchange, spot  # noqa: F401

D = Decimal


def _request(client_id: str, order_type: str, side: str = "BUY", **fields: object) -> OrderRequest:
    quantity = fields.pop("quantity", D("0.01"))
    return OrderRequest(client_order_id=client_id, symbol="BTCUSDT", side=side, order_type=order_type,
                        quantity=quantity, **fields)  # type: ignore[arg-type]  # fmt: skip


def test_market_order_fills_with_fills_in_decimals(
    spot: BinanceSpotExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    order = spot.place_order(_request("pt-1-e", "MARKET"))
    assert order.client_order_id == "pt-1-e"
    assert order.status == OrderStatus.FILLED
    assert order.executed_quantity == D("0.01")
    assert order.fills and all(isinstance(f.price, Decimal) for f in order.fills)
    assert sum(f.quantity for f in order.fills) == D("0.01")
    assert order.fills[0].commission_asset == "BTC"  # spot pays commission in the asset received
    sent = paper_exchange.sent("POST", "/api/v3/order", newClientOrderId="pt-1-e")
    assert (
        len(sent) == 1 and sent[0]["params"]["quantity"] == "0.01" and sent[0]["params"]["newOrderRespType"] == "FULL"
    )

    again = spot.get_order(symbol="BTCUSDT", client_order_id="pt-1-e")
    assert again.status == OrderStatus.FILLED
    assert {f.trade_id for f in again.fills} == {f.trade_id for f in order.fills}  # looked-up fills match


def test_limit_order_rests_is_listed_and_cancels(spot: BinanceSpotExchange) -> None:  # noqa: F811
    resting = spot.place_order(_request("pt-2-e", "LIMIT", price=D("49000"), time_in_force="GTC"))
    assert resting.status == OrderStatus.OPEN and resting.executed_quantity == 0
    assert resting.price == D("49000")
    assert [o.client_order_id for o in spot.open_orders(symbol="BTCUSDT")] == ["pt-2-e"]

    canceled = spot.cancel_order(symbol="BTCUSDT", client_order_id="pt-2-e")
    assert canceled.client_order_id == "pt-2-e" and canceled.status == OrderStatus.CANCELED
    assert spot.open_orders(symbol="BTCUSDT") == []
    # A repeated cancel (-2011 at the exchange) returns the order as it is.
    assert spot.cancel_order(symbol="BTCUSDT", client_order_id="pt-2-e").status == OrderStatus.CANCELED


def test_stop_and_maker_types(spot: BinanceSpotExchange) -> None:  # noqa: F811
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    stop = spot.place_order(
        _request("pt-3-sl", "STOP_LOSS_LIMIT", side="SELL", price=D("44000"), stop_price=D("45000"))
    )
    assert stop.status == OrderStatus.OPEN and stop.stop_price == D("45000")
    # BTCUSDT lists TAKE_PROFIT_LIMIT, not TAKE_PROFIT (its exchangeInfo orderTypes).
    take = spot.place_order(
        _request("pt-3-tp", "TAKE_PROFIT_LIMIT", side="SELL", price=D("60000"), stop_price=D("60000"))
    )
    assert take.status == OrderStatus.OPEN
    maker = spot.place_order(_request("pt-3-mk", "LIMIT_MAKER", price=D("48000")))
    assert maker.status == OrderStatus.OPEN
    listed = {o.client_order_id: o for o in spot.open_orders()}
    assert set(listed) == {"pt-3-sl", "pt-3-tp", "pt-3-mk"}
    assert listed["pt-3-sl"].order_type == "STOP_LOSS_LIMIT"


def test_oco_places_both_legs_and_one_cancel_takes_both(spot: BinanceSpotExchange) -> None:  # noqa: F811
    engine_fund(market="spot", asset="BTC", amount=D("1"))
    legs = spot.place_oco(OcoRequest(
        list_client_order_id="pt-4-oco", symbol="BTCUSDT", side="SELL", quantity=D("0.01"),
        above_type="LIMIT_MAKER", above_client_order_id="pt-4-tp", above_price=D("55000"),
        below_type="STOP_LOSS_LIMIT", below_client_order_id="pt-4-sl", below_price=D("44000"),
        below_stop_price=D("45000"),
    ))  # fmt: skip
    assert {leg.client_order_id for leg in legs} == {"pt-4-tp", "pt-4-sl"}
    assert all(leg.status == OrderStatus.OPEN for leg in legs)
    spot.cancel_order(symbol="BTCUSDT", client_order_id="pt-4-tp")
    assert spot.get_order(symbol="BTCUSDT", client_order_id="pt-4-sl").status == OrderStatus.CANCELED


def test_unknown_ids_are_not_found(spot: BinanceSpotExchange) -> None:  # noqa: F811
    with pytest.raises(OrderNotFound):
        spot.get_order(symbol="BTCUSDT", client_order_id="pt-never")
    with pytest.raises(OrderNotFound):
        spot.cancel_order(symbol="BTCUSDT", client_order_id="pt-never")


def test_account_balances_move_with_a_fill(spot: BinanceSpotExchange) -> None:  # noqa: F811
    before = {b["asset"]: D(b["free"]) for b in spot.account()["balances"]}
    spot.place_order(_request("pt-5-e", "MARKET", quantity=D("0.1")))
    after = {b["asset"]: D(b["free"]) for b in spot.account()["balances"]}
    assert after["USDT"] < before["USDT"]
    assert D("0.09") < after.get("BTC", D(0)) - before.get("BTC", D(0)) <= D("0.1")
