"""Shared fixtures for the Binance adapter and paper exchange server tests.

``paper_exchange`` is the Binance-compatible server running in this process on
a free port (real HTTP, real sockets; its threads use their own database
connections, hence ``transactional_db``), with the test-only fault hooks on.
``spot`` and ``futures`` are our adapters on python-binance pointed at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from execution_app.exchange.binance import BinanceFuturesExchange, BinanceSpotExchange, CallPolicy, binance_client
from execution_app.paper_server.app import ServerConfig
from execution_app.paper_server.serve import ServerThread
from petrosa.core.market import price_set

API_KEY = "test-api-key"
API_SECRET = "test-api-secret"
ACCOUNT = "default"
PRICES = {"BTCUSDT": Decimal("50000"), "ETHUSDT": Decimal("3000"), "DOGEUSDT": Decimal("0.1")}


class PaperExchangeHandle:
    def __init__(self, thread: ServerThread) -> None:
        self.thread = thread
        self.url = thread.url
        self.app = thread.app

    def fault(self, **rule: Any) -> None:
        response = requests.post(f"{self.url}/_paper/faults", json=rule, timeout=5)
        assert response.status_code == 200, response.text

    def clock(self, offset_ms: int) -> None:
        requests.post(f"{self.url}/_paper/clock", json={"offset_ms": offset_ms}, timeout=5).raise_for_status()

    def sent(self, method: str, path: str, **params: str) -> list[dict[str, Any]]:
        """Requests the server received, filtered by method, path and parameters."""
        log = requests.get(f"{self.url}/_paper/requests", timeout=5).json()
        return [
            entry for entry in log
            if entry["method"] == method and entry["path"] == path
            and all(entry["params"].get(k) == v for k, v in params.items())
        ]  # fmt: skip


@pytest.fixture
def paper_exchange(transactional_db: Any) -> Iterator[PaperExchangeHandle]:
    for symbol, price in PRICES.items():
        price_set(symbol=symbol, price=price, source="test")
    config = ServerConfig(keys={API_KEY: (API_SECRET, ACCOUNT)}, faults_enabled=True)
    thread = ServerThread(config)
    thread.start()
    yield PaperExchangeHandle(thread)
    thread.stop()


def make_client(url: str, *, timeout: float = 5.0) -> Any:
    return binance_client(api_key=API_KEY, api_secret=API_SECRET, testnet=True, base_url=url, timeout=timeout)


NO_SLEEP_POLICY = CallPolicy(max_retries=3, max_backoff_seconds=5, read_retry_seconds=0.01)


@pytest.fixture
def spot(paper_exchange: PaperExchangeHandle) -> BinanceSpotExchange:
    return BinanceSpotExchange(make_client(paper_exchange.url), policy=NO_SLEEP_POLICY)


@pytest.fixture
def futures(paper_exchange: PaperExchangeHandle) -> BinanceFuturesExchange:
    return BinanceFuturesExchange(make_client(paper_exchange.url), policy=NO_SLEEP_POLICY)


def our_order(
    strategy: Any,
    client_order_id: str,
    *,
    symbol: str = "BTCUSDT",
    side: str = "BUY",
    quantity: str = "0.01",
    order_type: str = "LIMIT",
    status: str = "open",
    role: str = "entry",
    price: str | None = None,
    stop_price: str | None = None,
    reduce_only: bool = False,
) -> Any:
    """An order in our books as the pipeline leaves it (signal, approved decision, order)."""
    from django.utils import timezone

    from execution_app.models import Order
    from risk_app.models import RiskDecision
    from tests.factories import SignalFactory

    signal = SignalFactory(strategy=strategy, symbol=symbol, action="buy" if side == "BUY" else "sell")
    decision = RiskDecision.objects.create(signal=signal, approved=True, reason_code="approved")
    return Order.objects.create(
        signal=signal, decision=decision, client_order_id=client_order_id, symbol=symbol, side=side,
        position_side="LONG" if (side == "BUY") != reduce_only else "SHORT", order_type=order_type,
        quantity=Decimal(quantity), price=Decimal(price) if price else None,
        stop_price=Decimal(stop_price) if stop_price else None, reduce_only=reduce_only, role=role,
        status=status, submitted_at=timezone.now(),
    )  # fmt: skip
