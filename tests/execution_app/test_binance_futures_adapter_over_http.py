"""The USD-M adapter drives python-binance against the paper exchange server over
HTTP: market and limit orders, conditional orders through the algo endpoint
(found again by our client order id before and after they trigger), cancels,
leverage, margin type, position mode and position risk."""

from __future__ import annotations

from decimal import Decimal

from execution_app.exchange.base import OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange
from execution_app.exchange.paper_engine import engine_on_price
from execution_app.models import OrderStatus
from petrosa.core.market import price_set
from tests.execution_app.binance_server import PaperExchangeHandle, futures, paper_exchange  # noqa: F401

D = Decimal


def _request(client_id: str, order_type: str, side: str = "BUY", **fields: object) -> OrderRequest:
    quantity = fields.pop("quantity", D("0.01"))
    return OrderRequest(client_order_id=client_id, symbol="BTCUSDT", side=side, order_type=order_type,
                        quantity=quantity, **fields)  # type: ignore[arg-type]  # fmt: skip


def test_market_order_fills_and_opens_a_position(
    futures: BinanceFuturesExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    order = futures.place_order(_request("pt-10-e", "MARKET"))
    assert order.status == OrderStatus.FILLED and order.executed_quantity == D("0.01")
    assert order.average_price is not None and order.average_price >= D("50000")
    assert order.fills and order.fills[0].commission_asset == "USDT"  # fills come from /fapi/v1/userTrades
    sent = paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId="pt-10-e")
    assert len(sent) == 1 and sent[0]["params"]["newOrderRespType"] == "RESULT"
    assert "positionSide" not in sent[0]["params"]  # one-way mode: BOTH by default

    [position] = futures.positions()
    assert (position.symbol, position.side, position.quantity, position.position_side) == (
        "BTCUSDT",
        "LONG",
        D("0.01"),
        "BOTH",
    )


def test_limit_order_rests_then_fills_on_a_price_move(futures: BinanceFuturesExchange) -> None:  # noqa: F811
    resting = futures.place_order(_request("pt-11-e", "LIMIT", price=D("49500")))
    assert resting.status == OrderStatus.OPEN
    price_set(symbol="BTCUSDT", price=D("49400"), source="test")
    assert "pt-11-e" in engine_on_price("BTCUSDT", D("49400"), market="usdm")
    filled = futures.get_order(symbol="BTCUSDT", client_order_id="pt-11-e")
    assert filled.status == OrderStatus.FILLED and filled.fills and filled.fills[0].is_maker


def test_conditional_orders_go_through_the_algo_endpoint(
    futures: BinanceFuturesExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    futures.place_order(_request("pt-12-e", "MARKET"))
    stop = futures.place_order(
        _request("pt-12-sl", "STOP_MARKET", side="SELL", stop_price=D("48000"), reduce_only=True)
    )
    assert stop.status == OrderStatus.OPEN and not stop.is_working and stop.stop_price == D("48000")
    [sent] = paper_exchange.sent("POST", "/fapi/v1/algoOrder", clientAlgoId="pt-12-sl")
    assert sent["params"]["algoType"] == "CONDITIONAL" and sent["params"]["triggerPrice"] == "48000"
    assert sent["params"]["workingType"] == "MARK_PRICE" and sent["params"]["reduceOnly"] == "true"
    assert paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId="pt-12-sl") == []

    take = futures.place_order(_request("pt-12-tp", "TAKE_PROFIT_MARKET", side="SELL", stop_price=D("60000"),
                                        close_position=True))  # fmt: skip
    [sent_tp] = paper_exchange.sent("POST", "/fapi/v1/algoOrder", clientAlgoId="pt-12-tp")
    assert sent_tp["params"]["closePosition"] == "true" and "quantity" not in sent_tp["params"]
    assert take.status == OrderStatus.OPEN
    assert {o.client_order_id for o in futures.open_orders(symbol="BTCUSDT")} == {"pt-12-sl", "pt-12-tp"}

    # Found again by client order id while waiting, then after triggering.
    assert futures.get_order(symbol="BTCUSDT", client_order_id="pt-12-sl").is_working is False
    price_set(symbol="BTCUSDT", price=D("47900"), source="test")
    engine_on_price("BTCUSDT", D("47900"), market="usdm")
    triggered = futures.get_order(symbol="BTCUSDT", client_order_id="pt-12-sl")
    assert triggered.client_order_id == "pt-12-sl"
    assert triggered.status == OrderStatus.FILLED and triggered.executed_quantity == D("0.01") and triggered.fills

    canceled = futures.cancel_order(symbol="BTCUSDT", client_order_id="pt-12-tp")
    assert canceled.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED)
    assert futures.open_orders() == []


def test_limit_cancel_and_repeated_cancel(futures: BinanceFuturesExchange) -> None:  # noqa: F811
    futures.place_order(_request("pt-13-e", "LIMIT", price=D("49000")))
    assert futures.cancel_order(symbol="BTCUSDT", client_order_id="pt-13-e").status == OrderStatus.CANCELED
    assert futures.cancel_order(symbol="BTCUSDT", client_order_id="pt-13-e").status == OrderStatus.CANCELED


def test_leverage_margin_type_and_position_mode(futures: BinanceFuturesExchange) -> None:  # noqa: F811
    assert futures.set_leverage(symbol="ETHUSDT", leverage=7) == 7
    futures.set_margin_type(symbol="ETHUSDT", margin_type="ISOLATED")
    futures.set_margin_type(symbol="ETHUSDT", margin_type="ISOLATED")  # -4046 "no need": success
    settings = futures.symbol_settings(symbol="ETHUSDT")
    assert settings is not None and (settings.leverage, settings.margin_type) == (7, "ISOLATED")

    assert futures.hedge_mode() is False
    futures.set_position_mode(hedge=True)
    futures.set_position_mode(hedge=True)  # -4059 "no need": success
    assert futures.hedge_mode() is True
    order = futures.place_order(_request("pt-14-e", "MARKET", side="SELL", position_side="SHORT"))
    assert order.status == OrderStatus.FILLED
    [position] = futures.positions()
    assert (position.side, position.position_side, position.quantity) == ("SHORT", "SHORT", D("0.01"))
