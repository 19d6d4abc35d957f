"""Live prices from Binance's public ticker, tried against a local HTTP server
that answers as Binance does (Binance itself is never called in tests): the
right path per market, only our symbols, and a slow or failing server costs
one tick, not a hung worker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from petrosa.core.feeds.binance_prices import BinancePriceFeed, PriceFeedUnavailable
from petrosa.core.feeds.run import market_tick_run
from petrosa.core.models import MarketPrice

TICKERS = [
    {"symbol": "BTCUSDT", "price": "65123.40", "time": 1}, {"symbol": "ETHUSDT", "price": "3210.55", "time": 1},
    {"symbol": "PEPEUSDT", "price": "0.0000123", "time": 1}, {"symbol": "SOLUSDT", "price": "0", "time": 1},
]  # fmt: skip


class FakeBinance(BaseHTTPRequestHandler):
    behaviour = "ok"
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        FakeBinance.paths.append(self.path)
        if FakeBinance.behaviour == "slow":
            time.sleep(1.5)
        if FakeBinance.behaviour == "error":
            body, status = b'{"code": -1003, "msg": "Too many requests"}', 429
        else:
            body, status = json.dumps(TICKERS).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def binance() -> Iterator[str]:
    FakeBinance.behaviour, FakeBinance.paths = "ok", []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBinance)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def feed(base_url: str, market: str = "usdm") -> BinancePriceFeed:
    return BinancePriceFeed(market=market, symbols=["BTCUSDT", "ETHUSDT", "SOLUSDT"], base_url=base_url,
                            timeout=(0.5, 0.5))  # fmt: skip


@pytest.mark.parametrize(("market", "path"), [("usdm", "/fapi/v2/ticker/price"), ("spot", "/api/v3/ticker/price")])
def test_prices_of_our_symbols_only(binance: str, market: str, path: str) -> None:
    prices = feed(binance, market).next_prices(current={}, step=0)
    assert prices == {"BTCUSDT": Decimal("65123.40"), "ETHUSDT": Decimal("3210.55")}  # zero price dropped
    assert FakeBinance.paths == [path]


def test_the_public_urls_by_default() -> None:
    assert BinancePriceFeed(market="usdm", symbols=[]).url == "https://fapi.binance.com/fapi/v2/ticker/price"
    assert BinancePriceFeed(market="spot", symbols=[], testnet=True).url == (
        "https://testnet.binance.vision/api/v3/ticker/price"
    )


@pytest.mark.parametrize("behaviour", ["slow", "error"])
def test_a_slow_or_failing_binance_costs_one_tick(binance: str, behaviour: str) -> None:
    FakeBinance.behaviour = behaviour
    started = time.monotonic()
    with pytest.raises(PriceFeedUnavailable):
        feed(binance).next_prices(current={}, step=0)
    assert time.monotonic() - started < 1.4  # the read timeout, not the server, decided


def test_a_live_tick_stores_binances_prices(binance: str, transactional_db: Any) -> None:
    tick = market_tick_run(feed=feed(binance))
    assert tick is not None and tick.source == "binance"
    assert dict(MarketPrice.objects.values_list("symbol", "price")) == {
        "BTCUSDT": Decimal("65123.40"), "ETHUSDT": Decimal("3210.55"),
    }  # fmt: skip
