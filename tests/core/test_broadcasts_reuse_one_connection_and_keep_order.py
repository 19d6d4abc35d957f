"""Dashboard broadcasts from sync code (workers, sync views) go through one
long-lived sender per process: in the order they were made, over one Redis
connection pool, without the caller waiting on Redis for each event."""

from __future__ import annotations

import asyncio

import redis
from channels.layers import get_channel_layer
from django.conf import settings

from petrosa.core.broadcast import broadcast_now, broadcasts_flush

EVENTS = 200


def _connections_received() -> int:
    return int(redis.Redis.from_url(settings.REDIS_URL).info("stats")["total_connections_received"])


def test_many_broadcasts_arrive_in_order_over_one_connection() -> None:
    layer = get_channel_layer()
    group = "test-broadcast-order"

    async def listen() -> list[int]:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        loop = asyncio.get_running_loop()
        connections_before = await loop.run_in_executor(None, _connections_received)
        # Sent from a plain thread, the way a Celery task or a sync view sends them.
        await loop.run_in_executor(None, lambda: [broadcast_now("tick", {"n": n}, group=group) for n in range(EVENTS)])
        assert await loop.run_in_executor(None, broadcasts_flush)
        opened = await loop.run_in_executor(None, _connections_received) - connections_before
        received = [(await asyncio.wait_for(layer.receive(channel), 5))["payload"]["n"] for _ in range(EVENTS)]
        await layer.group_discard(group, channel)
        return [opened, *received]

    opened, *received = asyncio.run(listen())
    assert received == list(range(EVENTS))
    # One pool for the sender, not a connection per event. (The count is the whole
    # server's, so other clients of this Redis may add a few; per event would be 200.)
    assert opened < EVENTS // 4, f"{opened} Redis connections opened for {EVENTS} broadcasts"
