"""After the snapshot, a dashboard socket carries only changes: nothing while
nothing moves, one row when one price moves, and it stays quick with 200
open positions."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pytest_django.fixtures import Settings as SettingsWrapper

from execution_app.dashboard.consumers import DashboardConsumer
from execution_app.dashboard.selectors import dashboard_snapshot
from petrosa.core.broadcast import broadcast_now
from petrosa.core.market import price_set
from petrosa.core.models import MarketPrice
from risk_app.models import Position
from tests.operators import make_operator, open_long

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_ticks(settings: SettingsWrapper) -> None:
    settings.DASHBOARD_TICK_SECONDS = 0.05


async def connected(user: Any) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    communicator = WebsocketCommunicator(DashboardConsumer.as_asgi(), "/ws/dashboard/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["event"] == "snapshot"
    return communicator, snapshot["payload"]


def two_positions() -> Any:
    for symbol, price in (("BTCUSDT", "50000"), ("ETHUSDT", "3000")):
        price_set(symbol=symbol, price=Decimal(price), source="test")
    open_long("BTCUSDT", "0.1", "50000")
    open_long("ETHUSDT", "2", "3000")
    return make_operator("watcher", role="viewer")


async def test_nothing_is_sent_while_nothing_changes(fast_ticks: None) -> None:
    user = await database_sync_to_async(two_positions)()
    communicator, snapshot = await connected(user)
    assert [p["symbol"] for p in snapshot["positions"]] == ["BTCUSDT", "ETHUSDT"]
    assert await communicator.receive_nothing(timeout=0.5)  # ten ticks, no message
    await communicator.disconnect()


async def test_a_price_move_sends_that_position_and_the_equity_only(fast_ticks: None) -> None:
    user = await database_sync_to_async(two_positions)()
    communicator, _ = await connected(user)
    await database_sync_to_async(price_set)(symbol="ETHUSDT", price=Decimal("3100"), source="test")

    message = await communicator.receive_json_from(timeout=5)
    assert message["event"] == "live"
    changes = message["payload"]
    assert changes["positions"] == [
        {"symbol": "ETHUSDT", "side": "LONG", "mark_price": "3100", "unrealized_pnl": "200"}
    ]
    assert changes["equity"]["unrealized_pnl"] == "200"
    assert "risk_state" not in changes
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_position_event_is_marked_at_the_latest_price(fast_ticks: None) -> None:
    user = await database_sync_to_async(two_positions)()
    communicator, _ = await connected(user)
    stale = {"symbol": "BTCUSDT", "side": "LONG", "quantity": "0.1", "avg_entry_price": "50000",
             "mark_price": None, "realized_pnl": "0", "unrealized_pnl": "0", "fees_paid": "0"}  # fmt: skip
    await database_sync_to_async(price_set)(symbol="BTCUSDT", price=Decimal("51000"), source="test")
    await database_sync_to_async(broadcast_now)("position", stale)
    events = {}
    while "position" not in events:
        message = await communicator.receive_json_from(timeout=5)
        events[message["event"]] = message["payload"]
    assert events["position"]["mark_price"] == "51000" and events["position"]["unrealized_pnl"] == "100"
    await communicator.disconnect()


def two_hundred_positions() -> Any:
    symbols = [f"SYM{i:03d}USDT" for i in range(200)]
    MarketPrice.objects.bulk_create([MarketPrice(symbol=s, price=Decimal("10"), source="test") for s in symbols])
    Position.objects.bulk_create(
        [Position(symbol=s, side="LONG", quantity=Decimal("3"), avg_entry_price=Decimal("9.5")) for s in symbols]
    )
    return make_operator("busy", role="viewer")


async def test_two_hundred_positions_stay_quick(fast_ticks: None) -> None:
    user = await database_sync_to_async(two_hundred_positions)()
    started = time.perf_counter()
    snapshot = await database_sync_to_async(dashboard_snapshot)()
    build_ms = (time.perf_counter() - started) * 1000
    assert len(snapshot["positions"]) == 200 and snapshot["equity"]["unrealized_pnl"] == "300"
    assert build_ms < 500, f"snapshot of 200 positions took {build_ms:.0f} ms"

    communicator, _ = await connected(user)
    await database_sync_to_async(price_set)(symbol="SYM123USDT", price=Decimal("11"), source="test")
    message = await communicator.receive_json_from(timeout=5)
    assert [p["symbol"] for p in message["payload"]["positions"]] == ["SYM123USDT"]
    await communicator.disconnect()
