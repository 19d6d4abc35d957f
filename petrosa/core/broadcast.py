"""Pushing events to websocket dashboards, only after the change is committed.

With Redis (workers, the web server's sync views) every process sends through
one long-lived event loop on a thread of its own: one connection pool for the
process's life, events sent in the order they were made, and the caller never
waits on the dashboard. (``async_to_sync`` per event would open and close a
Redis connection for every event, inside the trade's critical path.)
The in-memory layer of the embedded quick start lives in the server's own
event loop, so it is still called there.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard"


class _Sender:
    """A daemon thread running one event loop that sends queued group messages in order."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.pid = os.getpid()  # a forked child (Celery prefork) must start its own
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.pending = 0
        self.counting = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()
        threading.Thread(target=self._run, name="dashboard-broadcast", daemon=True).start()

    def submit(self, group: str, message: dict[str, Any]) -> None:
        with self.counting:
            self.pending += 1
            self.idle.clear()
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (group, message))

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._send_forever())

    async def _send_forever(self) -> None:
        while True:
            group, message = await self.queue.get()
            try:
                await self.layer.group_send(group, message)
            except Exception as exc:  # noqa: BLE001 - a dashboard miss must never fail a trade
                logger.warning("broadcast of %s failed: %s", message.get("event"), exc)
            with self.counting:
                self.pending -= 1
                if self.pending == 0:
                    self.idle.set()


_sender: _Sender | None = None
_sender_lock = threading.Lock()


def _sender_for(layer: BaseChannelLayer) -> _Sender:
    global _sender
    with _sender_lock:
        if _sender is None or _sender.pid != os.getpid() or _sender.layer is not layer:
            _sender = _Sender(layer)
        return _sender


def broadcast_now(event: str, payload: dict[str, Any], *, group: str = DASHBOARD_GROUP) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "dashboard.event", "event": event, "payload": payload}
    if not isinstance(layer, InMemoryChannelLayer):
        _sender_for(layer).submit(group, message)
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception as exc:  # noqa: BLE001 - a dashboard miss must never fail a trade
        logger.warning("broadcast of %s failed: %s", event, exc)


def broadcasts_flush(timeout: float = 5.0) -> bool:
    """Wait until every queued broadcast of this process was sent (tests, shutdown)."""
    sender = _sender
    if sender is None or sender.pid != os.getpid():
        return True
    return sender.idle.wait(timeout)


def broadcast_on_commit(event: str, payload: dict[str, Any], *, group: str = DASHBOARD_GROUP) -> None:
    transaction.on_commit(lambda: broadcast_now(event, payload, group=group))
