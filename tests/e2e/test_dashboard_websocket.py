"""The dashboard websocket over the real channels-redis layer: anonymous
sockets are refused, a connected operator gets a snapshot and then a fill."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from execution_app.dashboard.consumers import CLOSE_UNAUTHENTICATED, DashboardConsumer
from petrosa.asgi import application
from signals_app.services.intake import signal_intake
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_channel_layer_is_redis() -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


async def _connect(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(DashboardConsumer.as_asgi(), "/ws/dashboard/")
    communicator.scope["user"] = user
    return communicator


async def test_anonymous_socket_is_refused() -> None:
    communicator = await _connect(AnonymousUser())
    connected, code = await communicator.connect()
    assert connected is False
    assert code == CLOSE_UNAUTHENTICATED


async def test_foreign_origin_is_refused_by_the_asgi_stack() -> None:
    communicator = WebsocketCommunicator(application, "/ws/dashboard/", headers=[(b"origin", b"https://evil.example")])
    connected, _ = await communicator.connect()
    assert connected is False


async def test_operator_gets_a_snapshot_then_the_fill(
    operator: Any, strategy: StrategyWithKey, prices: dict[str, Decimal], eager_pipeline: None
) -> None:
    communicator = await _connect(operator)
    connected, _ = await communicator.connect()
    assert connected
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["event"] == "snapshot"
    assert snapshot["payload"]["positions"] == [] and snapshot["payload"]["fills"] == []

    await database_sync_to_async(signal_intake)(
        strategy=strategy.strategy,
        data={"symbol": "BTCUSDT", "action": "buy", "confidence": Decimal("0.9"), "quantity": Decimal("0.01")},
    )
    events: dict[str, Any] = {}
    while "fill" not in events:
        message = await communicator.receive_json_from(timeout=5)
        events.setdefault(message["event"], message["payload"])
    assert events["fill"]["symbol"] == "BTCUSDT"
    assert events["fill"]["quantity"] == "0.01"
    assert events["fill"]["price"] == "50000"
    assert events["position"]["side"] == "LONG"
    assert events["signal"]["symbol"] == "BTCUSDT"
    await communicator.disconnect()
    await asyncio.sleep(0)
