"""The dashboard websocket: server to client only, operators only.

On connect: refuse anyone who may not view positions (4401 anonymous, 4403
no permission), join this process's dashboard hub, send one snapshot. After
that only changes travel: service events (order, fill, position, signal,
risk_state) as they are broadcast after commit, plus a "live" diff each tick
for what moves without an event (marks, unrealized P&L, equity, breaker).
The tick also re-reads the users, so a deactivated or demoted operator is
dropped. The hub (hub.py) does the reads and the serializing once per
process for every socket; this consumer only admits, snapshots and writes.
The origin is checked in front of this consumer (AllowedHostsOriginValidator
in petrosa/asgi.py).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from execution_app.dashboard.hub import Member, dashboard_hub
from execution_app.dashboard.selectors import dashboard_allowed, dashboard_snapshot, live_from_snapshot

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class DashboardConsumer(AsyncJsonWebsocketConsumer):
    member: Member | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(dashboard_allowed)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.member = Member(user_id=user.pk, send=self._send_text, drop=self._drop)
        hub = dashboard_hub()
        await hub.join(self.member, self.channel_layer)
        try:
            await self.accept()
            snapshot = await database_sync_to_async(dashboard_snapshot)()
            await self.send_json({"event": "snapshot", "payload": snapshot})
            await hub.ready(self.member, live_from_snapshot(snapshot))
        except BaseException:  # no snapshot, no socket: its backlog must not grow in the hub
            await hub.leave(self.member)
            raise

    async def disconnect(self, code: int) -> None:
        if self.member is not None:
            await dashboard_hub().leave(self.member)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The dashboard is read-only: anything a client sends is ignored."""

    async def _send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def _drop(self) -> None:
        await self.close(code=CLOSE_FORBIDDEN)
