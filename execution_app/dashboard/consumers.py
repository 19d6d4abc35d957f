"""The dashboard websocket: server to client only, operators only.

On connect: refuse anyone who may not view positions (4401 anonymous, 4403
no permission), join the dashboard group, send one snapshot. After that only
changes travel: service events (order, fill, position, signal, risk_state)
as they are broadcast after commit, plus a "live" diff each tick for what
moves without an event (marks, unrealized P&L, equity, breaker). The tick
also re-reads the user, so a deactivated or demoted operator is dropped.
The origin is checked in front of this consumer (AllowedHostsOriginValidator
in petrosa/asgi.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model

from execution_app.dashboard.selectors import (
    dashboard_allowed,
    dashboard_live,
    dashboard_snapshot,
    live_changes,
    position_key,
    position_rows_live,
)
from petrosa.core.broadcast import DASHBOARD_GROUP

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def _user_still_allowed(user_id: int) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    return dashboard_allowed(user)


class DashboardConsumer(AsyncJsonWebsocketConsumer):
    ticker: asyncio.Task[None] | None = None
    live: dict[str, Any]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(dashboard_allowed)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(DASHBOARD_GROUP, self.channel_name)
        await self.accept()
        snapshot = await database_sync_to_async(dashboard_snapshot)()
        self.live = {
            "positions": {position_key(row): row for row in snapshot["positions"]},
            "equity": {k: snapshot["equity"][k] for k in ("equity", "realized_pnl", "unrealized_pnl")},
            "risk_state": snapshot["risk_state"],
        }
        await self.send_json({"event": "snapshot", "payload": snapshot})
        self.ticker = asyncio.ensure_future(self._tick_forever(user.pk))

    async def disconnect(self, code: int) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.ticker
        await self.channel_layer.group_discard(DASHBOARD_GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The dashboard is read-only: anything a client sends is ignored."""

    async def _tick_forever(self, user_id: int) -> None:
        interval = settings.DASHBOARD_TICK_SECONDS
        while True:
            await asyncio.sleep(interval)
            if not await database_sync_to_async(_user_still_allowed)(user_id):
                await self.close(code=CLOSE_FORBIDDEN)
                return
            after = await database_sync_to_async(dashboard_live)()
            changes = live_changes(self.live, after)
            self.live = after
            if changes:
                await self.send_json({"event": "live", "payload": changes})

    async def dashboard_event(self, message: dict[str, Any]) -> None:
        event, payload = message["event"], message["payload"]
        if event == "position":
            payload = (await database_sync_to_async(position_rows_live)([payload]))[0]
            # The tick must not resend what this event already carried.
            self.live.setdefault("positions", {})[position_key(payload)] = payload
        await self.send_json({"event": event, "payload": payload})
