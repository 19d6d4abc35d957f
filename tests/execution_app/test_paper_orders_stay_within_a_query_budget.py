"""One entry signal on paper costs a bounded number of database queries: the
adapter looks the account up once per call, builds the order's parameters from
the position mode the engine read under its lock, and answers from what the
engine placed instead of reading the order and its trades back. The answers are
the ones a fresh get_order gives, and open orders do not add a query each to the
margin check. (Counts are on a warm account, inside the test's transaction, so
each engine call's transaction shows as SAVEPOINT + RELEASE.)"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from execution_app.exchange.base import ExchangeOrder, OrderRequest
from execution_app.exchange.paper import PaperExchange

# Before: 22 (MARKET entry), 8 (each protective algo leg), 18 (spot MARKET), 6 / 4 (get_order usdm / spot).
BUDGET = {"usdm_entry": 14, "usdm_stop": 5, "usdm_take_profit": 5, "spot_entry": 11, "usdm_get": 4, "spot_get": 3}


def _request(client_id: str, **fields: Any) -> OrderRequest:
    values: dict[str, Any] = {"client_order_id": client_id, "symbol": "BTCUSDT", "side": "BUY",
                              "order_type": "MARKET", "quantity": D("0.01")}  # fmt: skip
    values.update(fields)
    return OrderRequest(**values)


def _counted(call: Callable[[], ExchangeOrder]) -> tuple[ExchangeOrder, int]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, len(queries.captured_queries)


@pytest.fixture
def warm(prices: dict[str, D]) -> tuple[PaperExchange, PaperExchange]:
    """Both accounts exist and BTCUSDT has futures settings: the steady state of a running system."""
    futures, spot = PaperExchange(market="usdm"), PaperExchange(market="spot")
    futures.place_order(_request("warm-usdm"))
    spot.place_order(_request("warm-spot"))
    return futures, spot


def test_an_entry_with_its_protective_legs_stays_within_budget(warm: tuple[PaperExchange, PaperExchange]) -> None:
    futures, _ = warm
    entry, entry_queries = _counted(lambda: futures.place_order(_request("qb-1-entry")))
    stop, stop_queries = _counted(lambda: futures.place_order(_request(
        "qb-1-sl", side="SELL", order_type="STOP_MARKET", stop_price=D("49000"), reduce_only=True)))
    take, take_queries = _counted(lambda: futures.place_order(_request(
        "qb-1-tp", side="SELL", order_type="TAKE_PROFIT_MARKET", stop_price=D("51000"), reduce_only=True)))
    again, get_queries = _counted(lambda: futures.get_order(symbol="BTCUSDT", client_order_id="qb-1-entry"))

    assert entry_queries <= BUDGET["usdm_entry"] and stop_queries <= BUDGET["usdm_stop"]
    assert take_queries <= BUDGET["usdm_take_profit"] and get_queries <= BUDGET["usdm_get"]
    # the same answers a fresh look-up gives
    assert entry == again and entry.fills and entry.fills[0].commission == D("0.5")
    assert stop == futures.get_order(symbol="BTCUSDT", client_order_id="qb-1-sl")
    assert take == futures.get_order(symbol="BTCUSDT", client_order_id="qb-1-tp")
    assert (stop.order_type, stop.stop_price, stop.is_working) == ("STOP_MARKET", D("49000"), False)


def test_a_spot_entry_stays_within_budget(warm: tuple[PaperExchange, PaperExchange]) -> None:
    _, spot = warm
    entry, entry_queries = _counted(lambda: spot.place_order(_request("qb-2-entry")))
    again, get_queries = _counted(lambda: spot.get_order(symbol="BTCUSDT", client_order_id="qb-2-entry"))
    assert entry_queries <= BUDGET["spot_entry"] and get_queries <= BUDGET["spot_get"]
    assert entry == again and entry.fills[0].commission_asset == "BTC"


def test_resting_orders_do_not_add_a_query_each_to_the_margin_check(
    warm: tuple[PaperExchange, PaperExchange],
) -> None:
    futures, _ = warm
    _, alone = _counted(lambda: futures.place_order(_request("qb-3-entry")))
    for n in range(3):
        futures.place_order(_request(f"qb-3-rest-{n}", order_type="LIMIT", price=D("49000")))
    _, beside_three = _counted(lambda: futures.place_order(_request("qb-4-entry")))
    assert beside_three == alone
