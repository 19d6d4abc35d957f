"""The exchange component of /health pings the real adapter (here python-binance
against the Binance-compatible paper server) with a deadline, and degrades the
service, never fails it, when the exchange does not answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from execution_app.api import status
from tests.e2e.processes import free_port
from tests.execution_app.binance_server import API_KEY, API_SECRET, PaperExchangeHandle, paper_exchange  # noqa: F401


@pytest.fixture
def testnet(settings: Any) -> Iterator[None]:
    settings.TRADING_MODE, settings.EXCHANGE_MARKET = "testnet", "usdm"
    settings.BINANCE_API_KEY, settings.BINANCE_API_SECRET = API_KEY, API_SECRET
    status._ping_cache.clear()
    yield
    status._ping_cache.clear()


def test_a_reachable_exchange_is_pinged_once_and_cached(
    client: Client, testnet: None, paper_exchange: PaperExchangeHandle, settings: Any  # noqa: F811
) -> None:
    settings.BINANCE_BASE_URL = paper_exchange.url
    component = client.get("/health").json()["components"]["exchange"]
    assert component["ok"] is True and component["status"] == "healthy"
    assert component["detail"].startswith("binance_usdm: ping ") and component["detail"].endswith(" ms")
    assert len(paper_exchange.sent("GET", "/fapi/v1/ping")) == 1
    client.get("/health")  # answered from the 10 s cache: no second ping
    assert len(paper_exchange.sent("GET", "/fapi/v1/ping")) == 1
    # The weight gauge is not asserted here: it keeps the most recent reading of any process
    # sharing the metrics directory, and in a full run the reading it shows is not this ping's.


def test_an_unreachable_exchange_degrades_the_service_with_the_reason(
    client: Client, testnet: None, transactional_db: Any, settings: Any
) -> None:
    settings.BINANCE_BASE_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get("/health")
    component = response.json()["components"]["exchange"]
    assert response.status_code == 200
    assert component["status"] == "degraded"
    assert component["detail"].startswith("binance_usdm: ping failed (")
    assert "exchange: binance_usdm: ping failed" in response.json()["warnings"][-1]
    assert client.get("/ready").status_code == 200
