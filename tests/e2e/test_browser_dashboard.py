"""The live dashboard in a real browser against the real server: a fill made
in this process reaches the page through Redis and the server's websocket; a
price move re-marks unrealized P&L; 200 open positions stay responsive; the
page reconnects by itself after the server drops and comes back."""

from __future__ import annotations

import asyncio
import sys
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from playwright.async_api import Page, expect

from petrosa.core.market import price_set
from petrosa.core.models import MarketPrice
from risk_app.models import Position
from signals_app.services.intake import signal_intake
from tests.e2e.browser import log_in, page, screenshot  # noqa: F401 - fixture
from tests.e2e.live import live_env, live_url  # noqa: F401 - fixture
from tests.e2e.processes import Process, free_port, port_open, wait_for
from tests.factories import make_strategy
from tests.operators import make_operator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("prices", "eager_pipeline")]


def buy(strategy: Any, symbol: str, quantity: str, key: str) -> None:
    signal_intake(strategy=strategy, idempotency_key=key,
                  data={"symbol": symbol, "action": "buy", "confidence": Decimal("0.9"),
                        "quantity": Decimal(quantity)})  # fmt: skip


@pytest.fixture
def book() -> Any:
    """A small book before the page opens, so the curve and tables have history."""
    make_operator("vic", role="viewer")
    strategy = make_strategy("trend_v1").strategy
    buy(strategy, "ETHUSDT", "1", "eth-1")
    price_set(symbol="ETHUSDT", price=Decimal("3050"), source="test")
    signal_intake(strategy=strategy, idempotency_key="eth-2",
                  data={"symbol": "ETHUSDT", "action": "close", "confidence": Decimal("0.9")})  # fmt: skip
    buy(strategy, "DOGEUSDT", "1000", "doge-1")
    signal_intake(strategy=strategy, idempotency_key="weak",
                  data={"symbol": "BTCUSDT", "action": "buy", "confidence": Decimal("0.3")})  # fmt: skip
    return strategy


async def open_dashboard(page: Page, base_url: str) -> None:
    await log_in(page, base_url, "vic", next_path="/dashboard/")
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")


async def test_a_fill_and_a_price_move_reach_the_page(page: Page, live_url: str, book: Any) -> None:  # noqa: F811
    await open_dashboard(page, live_url)
    await expect(page.locator('#positions tr[data-key="DOGEUSDT:LONG"]')).to_be_visible()
    await expect(page.locator("#signals")).to_contain_text("confidence_below_threshold")
    await expect(page.locator("#equity-chart canvas")).to_have_count(1)

    await database_sync_to_async(buy)(book, "BTCUSDT", "0.02", "btc-live")
    row = page.locator('#positions tr[data-key="BTCUSDT:LONG"]')
    await expect(row).to_contain_text("0.02")
    await expect(page.locator("#fills tbody tr").first).to_contain_text("BTCUSDT")
    await expect(page.locator("#signals tbody tr").first).to_contain_text("ordered")
    await expect(page.locator("#open-count")).to_have_text("2")

    await database_sync_to_async(price_set)(symbol="BTCUSDT", price=Decimal("51000"), source="test")
    await expect(row.locator("td").nth(5)).to_have_text("20.00")  # (51000 - 50000) × 0.02, pushed by the tick
    await expect(page.locator("#unrealized")).to_have_class("pos")
    await screenshot(page, "dashboard", docs_name="dashboard.png", full_page=True)


def two_hundred_positions() -> None:
    symbols = [f"SYM{i:03d}USDT" for i in range(200)]
    MarketPrice.objects.bulk_create([MarketPrice(symbol=s, price=Decimal("10"), source="test") for s in symbols])
    Position.objects.bulk_create(
        [Position(symbol=s, side="LONG", quantity=Decimal("3"), avg_entry_price=Decimal("9.5")) for s in symbols]
    )
    make_operator("vic", role="viewer")


async def test_two_hundred_positions_stay_responsive(page: Page, live_url: str) -> None:  # noqa: F811
    await database_sync_to_async(two_hundred_positions)()
    await open_dashboard(page, live_url)
    await expect(page.locator("#positions tbody tr")).to_have_count(200)
    await expect(page.locator("#open-count")).to_have_text("200")
    snapshot_ms = await page.evaluate("window.dashboardStats.maxHandleMs")

    await database_sync_to_async(price_set)(symbol="SYM150USDT", price=Decimal("11"), source="test")
    await expect(page.locator('#positions tr[data-key="SYM150USDT:LONG"] td').nth(5)).to_have_text("4.50")
    stats = await page.evaluate("window.dashboardStats")
    print(f"200 positions: snapshot handled in {snapshot_ms:.1f} ms, last update in {stats['lastHandleMs']:.2f} ms")
    assert snapshot_ms < 250, stats
    assert stats["lastHandleMs"] < 16, stats  # well inside one frame
    assert stats["snapshots"] == 1
    await screenshot(page, "dashboard_200_positions")


async def test_the_page_reconnects_after_the_server_drops(page: Page, transactional_db: Any) -> None:
    await database_sync_to_async(make_operator)("vic", role="viewer")
    strategy = await database_sync_to_async(lambda: make_strategy("trend_v1").strategy)()
    port = free_port()
    args = [sys.executable, "manage.py", "serve", "--port", str(port)]

    async def start() -> Process:
        server = Process("web", args, live_env())
        await asyncio.to_thread(wait_for, lambda: port_open(port), timeout=60, what="web server")
        return server

    server = await start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        await open_dashboard(page, base_url)
        await asyncio.to_thread(server.kill)
        await expect(page.locator("#connection")).to_have_attribute("data-state", "reconnecting")
        server = await start()
        await expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=30000)
        await database_sync_to_async(buy)(strategy, "BTCUSDT", "0.01", "after-reconnect")
        await expect(page.locator('#positions tr[data-key="BTCUSDT:LONG"]')).to_contain_text("0.01")
        await screenshot(page, "dashboard_reconnected")
    finally:
        await asyncio.to_thread(server.kill)
