"""Each Binance error code the adapter must handle, produced by the paper exchange
server over HTTP (by its engine, or by the test-only fault hook), and what the
adapter does with it. In every case the request log proves an order was never
sent twice when its first send may have worked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from binance.exceptions import BinanceAPIException

from execution_app.exchange.base import ExchangeOutcomeUnknown, ExchangeRejected, OrderNotFound, OrderRequest
from execution_app.exchange.binance import BinanceFuturesExchange, BinanceSpotExchange, CallPolicy, ExchangeRateLimited
from execution_app.models import OrderStatus
from tests.execution_app.binance_server import (  # noqa: F401
    PaperExchangeHandle,
    futures,
    make_client,
    paper_exchange,
    spot,
)

D = Decimal


def _request(client_id: str, order_type: str = "MARKET", side: str = "BUY", symbol: str = "BTCUSDT",
             **fields: Any) -> OrderRequest:  # fmt: skip
    quantity = fields.pop("quantity", D("0.01"))
    return OrderRequest(client_order_id=client_id, symbol=symbol, side=side, order_type=order_type,
                        quantity=quantity, **fields)  # fmt: skip


def _recording_sleep() -> tuple[list[float], Any]:
    waits: list[float] = []
    return waits, waits.append


# --- rate limits: -1003 / 429 back off, 418 never waited out --------------------------


def test_429_is_waited_out_and_resent_once(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    waits, sleep = _recording_sleep()
    adapter = BinanceFuturesExchange(
        make_client(paper_exchange.url), policy=CallPolicy(max_backoff_seconds=5), sleep=sleep
    )
    paper_exchange.fault(method="POST", path="/fapi/v1/order", status=429, code=-1003, when="before", retry_after=2,
                         msg="Too much request weight used")  # fmt: skip
    order = adapter.place_order(_request("pt-20-e"))
    assert order.status == OrderStatus.FILLED
    assert waits == [2.0]  # Binance's Retry-After, honoured
    assert len(paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId="pt-20-e")) == 2
    assert len(adapter.open_orders()) == 0 and len(adapter.positions()) == 1  # one order reached the engine


def test_a_long_retry_after_or_a_ban_refuses_at_once(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    waits, sleep = _recording_sleep()
    adapter = BinanceFuturesExchange(
        make_client(paper_exchange.url), policy=CallPolicy(max_backoff_seconds=5), sleep=sleep
    )
    paper_exchange.fault(method="POST", path="/fapi/v1/order", status=429, code=-1003, when="before", retry_after=60)
    with pytest.raises(ExchangeRateLimited) as limited:
        adapter.place_order(_request("pt-21-e"))
    assert (limited.value.reason, limited.value.retry_after, waits) == ("rate_limited", 60.0, [])
    paper_exchange.fault(method="POST", path="/fapi/v1/order", status=418, code=-1003, when="before", retry_after=120)
    with pytest.raises(ExchangeRateLimited) as banned:
        adapter.place_order(_request("pt-22-e"))
    assert banned.value.banned and banned.value.reason == "ip_banned" and waits == []


# --- -1021: resync the clock, resend once ------------------------------------------------


def test_clock_skew_is_resynced_and_the_order_goes_once(
    futures: BinanceFuturesExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    futures.hedge_mode()  # read (and cached) while the clocks agree, so the order is what meets the skew
    paper_exchange.clock(-15_000)  # the server is 15 s behind: our timestamps look from the future
    order = futures.place_order(_request("pt-23-e"))
    assert order.status == OrderStatus.FILLED
    assert -16_000 < futures.client.timestamp_offset < -14_000
    assert len(paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId="pt-23-e")) == 2
    assert len(paper_exchange.sent("GET", "/fapi/v1/time")) == 1  # the futures host's own clock


# --- refusals: nothing placed, a stable reason ------------------------------------------


@pytest.mark.parametrize(
    ("market", "request_fields", "code", "reason"),
    [
        ("spot", {"quantity": D("0.000001")}, -1013, "filter_failure"),  # below LOT_SIZE minQty
        ("usdm", {"quantity": D("0.0001")}, -1111, "bad_precision"),  # BTCUSDT quantityPrecision is 3
        ("spot", {"side": "SELL", "quantity": D("1")}, -2010, "insufficient_balance"),  # no BTC to sell
        ("usdm", {"quantity": D("50")}, -2019, "insufficient_margin"),  # 2.5M notional on 100k
        ("usdm", {"symbol": "DOGEUSDT", "quantity": D("1")}, -4164, "min_notional"),  # 0.1 USDT
    ],
    ids=["-1013", "-1111", "-2010-balance", "-2019", "-4164"],
)
def test_refusals_raise_exchange_rejected(
    spot: BinanceSpotExchange, futures: BinanceFuturesExchange,  # noqa: F811
    market: str, request_fields: dict[str, Any], code: int, reason: str,
) -> None:  # fmt: skip
    adapter = spot if market == "spot" else futures
    with pytest.raises(ExchangeRejected) as refused:
        adapter.place_order(_request("pt-24-e", **request_fields))
    assert (refused.value.code, refused.value.reason) == (code, reason)
    with pytest.raises(OrderNotFound):
        adapter.get_order(symbol=request_fields.get("symbol", "BTCUSDT"), client_order_id="pt-24-e")


@pytest.mark.parametrize("market", ["spot", "usdm"])
def test_a_duplicate_client_id_returns_the_first_order(
    spot: BinanceSpotExchange,
    futures: BinanceFuturesExchange,
    paper_exchange: PaperExchangeHandle,
    market: str,  # noqa: F811
) -> None:
    adapter = spot if market == "spot" else futures
    path = "/api/v3/order" if market == "spot" else "/fapi/v1/order"
    first = adapter.place_order(_request("pt-25-e", "LIMIT", price=D("49000")))
    again = adapter.place_order(_request("pt-25-e", "LIMIT", price=D("49000")))  # -2010 / -4116 at the exchange
    assert again.exchange_order_id == first.exchange_order_id and again.status == OrderStatus.OPEN
    assert len(adapter.open_orders(symbol="BTCUSDT")) == 1
    assert len(paper_exchange.sent("POST", path, newClientOrderId="pt-25-e")) == 2


def test_cancel_and_lookup_of_unknown_or_closed_orders(futures: BinanceFuturesExchange) -> None:  # noqa: F811
    with pytest.raises(OrderNotFound):  # -2011 on cancel, then -2013 on lookup
        futures.cancel_order(symbol="BTCUSDT", client_order_id="pt-26-x")
    filled = futures.place_order(_request("pt-26-e"))
    assert futures.cancel_order(symbol="BTCUSDT", client_order_id="pt-26-e").status == filled.status == "filled"


def test_invalid_leverage_is_refused_and_no_need_is_success(futures: BinanceFuturesExchange) -> None:  # noqa: F811
    with pytest.raises(ExchangeRejected) as refused:
        futures.set_leverage(symbol="BTCUSDT", leverage=200)
    assert (refused.value.code, refused.value.reason) == (-4028, "invalid_leverage")
    futures.set_margin_type(symbol="BTCUSDT", margin_type="CROSSED")
    futures.set_margin_type(symbol="BTCUSDT", margin_type="CROSSED")  # -4046: success, no exception


def test_position_side_mismatch_rereads_the_mode_and_resends(
    futures: BinanceFuturesExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    assert futures.hedge_mode() is False  # cached: one-way
    other = BinanceFuturesExchange(make_client(paper_exchange.url))
    other.set_position_mode(hedge=True)  # someone switched the account to hedge mode
    order = futures.place_order(_request("pt-27-e", position_side="LONG"))
    assert order.status == OrderStatus.FILLED
    first, second = paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId="pt-27-e")
    assert "positionSide" not in first["params"] and second["params"]["positionSide"] == "LONG"  # -4061, then resent
    assert futures.hedge_mode() is True


def test_a_conditional_type_on_the_order_endpoint_is_refused_and_rerouted(
    futures: BinanceFuturesExchange,
    paper_exchange: PaperExchangeHandle,  # noqa: F811
) -> None:
    client = make_client(paper_exchange.url)
    with pytest.raises(BinanceAPIException) as raw:
        client._request_futures_api(
            "post",
            "order",
            True,
            data={  # the pre-2025-12 way, as Binance answers it now
                "symbol": "BTCUSDT",
                "side": "SELL",
                "type": "STOP_MARKET",
                "stopPrice": "45000",
                "quantity": "0.01",
            },
        )
    assert raw.value.code == -4120
    # The adapter never sends that (conditional types go to /algoOrder), but if /order says -4120 it reroutes:
    rerouted = futures._place(
        _request("pt-28-sl", "STOP_MARKET", side="SELL", stop_price=D("45000")), resent_for_mode=False
    )
    assert rerouted.status == OrderStatus.OPEN and not rerouted.is_working
    assert len(paper_exchange.sent("POST", "/fapi/v1/algoOrder", clientAlgoId="pt-28-sl")) == 1


# --- unknown outcomes: look up, never resend ------------------------------------------------


def test_a_5xx_after_the_order_was_placed_is_resolved_by_lookup(
    futures: BinanceFuturesExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    paper_exchange.fault(method="POST", path="/fapi/v1/order", status=503, code=-1007, when="after")
    order = futures.place_order(_request("pt-29-e"))
    assert order.status == OrderStatus.FILLED and order.client_order_id == "pt-29-e"
    assert len(paper_exchange.sent("POST", "/fapi/v1/order", newClientOrderId="pt-29-e")) == 1
    assert len(paper_exchange.sent("GET", "/fapi/v1/order", origClientOrderId="pt-29-e")) >= 1


def test_a_5xx_before_anything_happened_stays_unknown_and_is_not_resent(
    spot: BinanceSpotExchange, paper_exchange: PaperExchangeHandle
) -> None:  # noqa: F811
    paper_exchange.fault(method="POST", path="/api/v3/order", status=500, code=-1000, when="before",
                         msg="An unknown error occurred while processing the request.")  # fmt: skip
    with pytest.raises(ExchangeOutcomeUnknown):
        spot.place_order(_request("pt-30-e"))
    assert len(paper_exchange.sent("POST", "/api/v3/order", newClientOrderId="pt-30-e")) == 1


def test_a_timeout_is_resolved_by_lookup(paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    adapter = BinanceSpotExchange(
        make_client(paper_exchange.url, timeout=0.5), policy=CallPolicy(read_retry_seconds=0.01)
    )
    paper_exchange.fault(method="POST", path="/api/v3/order", status=0, when="after", delay_seconds=1.5)
    order = adapter.place_order(_request("pt-31-e"))
    assert order.status == OrderStatus.FILLED
    assert len(paper_exchange.sent("POST", "/api/v3/order", newClientOrderId="pt-31-e")) == 1


def test_reads_are_retried_after_a_5xx(spot: BinanceSpotExchange, paper_exchange: PaperExchangeHandle) -> None:  # noqa: F811
    spot.place_order(_request("pt-32-e", "LIMIT", price=D("49000")))
    paper_exchange.fault(method="GET", path="/api/v3/openOrders", status=502, code=-1000, when="before", times=2)
    assert [o.client_order_id for o in spot.open_orders()] == ["pt-32-e"]
    assert len(paper_exchange.sent("GET", "/api/v3/openOrders")) == 3
