"""One hub per process (per event loop) behind every dashboard socket.

The hub, not each socket, is the member of the dashboard group: a broadcast
reaches a process once, a position event is re-marked at the latest price
once, and every message is serialized once and written as the same text to
each socket. One ticker reads dashboard_live() and which connected users may
still watch, once per tick for all sockets; the live diff is computed once
per distinct client state (normally one: every socket in sync) and sent as
the same text. Before, each socket did these reads itself through the one
database thread, and 200 sockets queued events behind ticks for tens of
seconds.

A socket joins before it reads its snapshot, so nothing broadcast after the
snapshot is missed; what arrives before the snapshot has gone out waits in
the member's backlog and follows it, as Channels did when the consumer
handled one message at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.db import connections
from channels.layers import BaseChannelLayer
from django.conf import settings

from execution_app.dashboard.selectors import (
    dashboard_allowed_ids,
    dashboard_live,
    live_changes,
    live_with_position,
    position_rows_live,
)
from petrosa.core.broadcast import DASHBOARD_GROUP

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Member:
    """One socket as the hub sees it: who holds it, what it has been told
    (`live`, None until its snapshot is out), and how to reach it."""

    user_id: int
    send: Callable[[str], Awaitable[None]]
    drop: Callable[[], Awaitable[None]]  # close as forbidden: the user may no longer watch
    live: dict[str, Any] | None = None
    backlog: list[str] = field(default_factory=list)
    early_rows: list[dict[str, Any]] = field(default_factory=list)


def _tick_reads(user_ids: set[int]) -> tuple[set[int], dict[str, Any]]:
    """Both reads of a tick in one trip to a database thread."""
    return dashboard_allowed_ids(user_ids), dashboard_live()


def _off_the_shared_thread(func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """The hub's reads run on a pool thread, not the one thread every view,
    snapshot and login of this process queues on: a position event must not
    wait behind a page load, and the fill broadcast right after it waits for it."""

    def closing(*args: Any, **kwargs: Any) -> Any:
        # A pool thread may never run here again: give its connection back to the
        # pool now rather than leave it checked out with the idle thread.
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return database_sync_to_async(closing, thread_sensitive=False)


def _message(event: str, payload: Any) -> str:
    return json.dumps({"event": event, "payload": payload})


class DashboardHub:
    def __init__(self) -> None:
        self.members: dict[Member, None] = {}  # a dict: ordered, O(1) removal
        self.layer: BaseChannelLayer | None = None
        self.channel: str | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.lock = asyncio.Lock()

    async def join(self, member: Member, layer: BaseChannelLayer) -> None:
        """Returns once the hub is in the group: a snapshot read after this misses nothing."""
        self.members[member] = None
        try:
            async with self.lock:
                if self.channel is None:
                    channel = await layer.new_channel()
                    await layer.group_add(DASHBOARD_GROUP, channel)
                    self.layer, self.channel = layer, channel
                    self.tasks = [asyncio.ensure_future(self._receive_forever()),
                                  asyncio.ensure_future(self._tick_forever())]  # fmt: skip
        except BaseException:  # Redis away: this socket fails to connect, as before; it leaves no trace here
            self.members.pop(member, None)
            raise

    async def ready(self, member: Member, live: dict[str, Any]) -> None:
        """The member's snapshot has gone out: send what waited, then go live."""
        for row in member.early_rows:
            live = live_with_position(live, row)
        member.early_rows.clear()
        while member.backlog:
            await member.send(member.backlog.pop(0))
        member.live = live

    async def leave(self, member: Member) -> None:
        self.members.pop(member, None)
        await self._stop_if_idle()

    async def _stop_if_idle(self) -> None:
        """No member left: stop ticking and leave the group (the next join starts again)."""
        async with self.lock:
            if self.members or self.channel is None:
                return
            tasks, channel, layer = self.tasks, self.channel, self.layer
            self.tasks, self.channel = [], None
            others = [task for task in tasks if task is not asyncio.current_task()]
            for task in others:
                task.cancel()
            for task in others:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            assert layer is not None
            with contextlib.suppress(Exception):  # Redis away: the membership expires by itself
                await layer.group_discard(DASHBOARD_GROUP, channel)

    async def _send(self, member: Member, text: str) -> None:
        if member.live is None:
            member.backlog.append(text)
            return
        try:
            await member.send(text)
        except Exception as exc:  # noqa: BLE001 - one gone socket must not stop the others
            logger.info("dashboard socket send failed, leaving it: %s", exc)
            self.members.pop(member, None)

    async def _fan_out(self, text: str) -> None:
        for member in list(self.members):
            await self._send(member, text)

    async def _receive_forever(self) -> None:
        assert self.layer is not None and self.channel is not None
        layer, channel = self.layer, self.channel
        while True:
            try:
                message = await layer.receive(channel)
            except Exception as exc:  # noqa: BLE001 - Redis away: wait, rejoin (a restart forgets groups)
                logger.warning("dashboard hub receive failed: %s", exc)
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await layer.group_add(DASHBOARD_GROUP, channel)
                continue
            if message.get("type") != "dashboard.event":
                continue
            try:
                await self._on_event(message["event"], message["payload"])
            except Exception:  # a bad message must not stop the hub
                logger.exception("dashboard event %s not delivered", message.get("event"))

    async def _on_event(self, event: str, payload: Any) -> None:
        if event == "position":
            payload = (await _off_the_shared_thread(position_rows_live)([payload]))[0]
            self._remember_position(payload)
        await self._fan_out(_message(event, payload))

    def _remember_position(self, row: dict[str, Any]) -> None:
        """The tick must not resend what this event carries. Members sharing a
        live state get one shared successor, so they stay in one diff group."""
        successors: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}  # id(before): (before, after)
        for member in self.members:
            if member.live is None:
                member.early_rows.append(row)
                continue
            before = member.live
            if id(before) not in successors:
                successors[id(before)] = (before, live_with_position(before, row))
            member.live = successors[id(before)][1]

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(settings.DASHBOARD_TICK_SECONDS)
            try:
                await self.tick()
            except Exception:  # noqa: BLE001 - the next tick tries again
                logger.exception("dashboard tick failed")
            if not self.members:  # the tick dropped the last socket: nobody will call leave() for it
                await self._stop_if_idle()
                return

    async def tick(self) -> None:
        # A socket still sending its snapshot was checked on connect; the next tick checks it.
        checked = {member.user_id for member in self.members if member.live is not None}
        if not checked:
            return
        allowed, after = await _off_the_shared_thread(_tick_reads)(checked)
        diffs: dict[int, tuple[dict[str, Any], str | None]] = {}  # id(before): (before, text or nothing to send)
        for member in list(self.members):
            before = member.live
            if before is None:
                continue
            if member.user_id in checked and member.user_id not in allowed:
                self.members.pop(member, None)
                with contextlib.suppress(Exception):  # already gone: dropped all the same
                    await member.drop()
                continue
            if id(before) not in diffs:
                changes = live_changes(before, after)
                diffs[id(before)] = (before, _message("live", changes) if changes else None)
            member.live = after
            text = diffs[id(before)][1]
            if text is not None:
                await self._send(member, text)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, DashboardHub] = weakref.WeakKeyDictionary()


def dashboard_hub() -> DashboardHub:
    """This process's hub (one per event loop: a test's loop gets its own)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = DashboardHub()
    return hub
