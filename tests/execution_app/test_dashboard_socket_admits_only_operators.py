"""Who may hold a dashboard socket: operators in a role, nobody else.
Anonymous sockets and foreign origins are refused; a staff user without a
role is refused; an operator who loses the permission is dropped at the
next tick."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from pytest_django.fixtures import Settings as SettingsWrapper

from execution_app.dashboard.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, DashboardConsumer
from petrosa.asgi import application
from tests.operators import ROLES, make_operator

pytestmark = pytest.mark.django_db(transaction=True)


def socket_as(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(DashboardConsumer.as_asgi(), "/ws/dashboard/")
    communicator.scope["user"] = user
    return communicator


async def test_anonymous_is_refused() -> None:
    connected, code = await socket_as(AnonymousUser()).connect()
    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_anonymous_is_refused_through_the_full_stack() -> None:
    communicator = WebsocketCommunicator(application, "/ws/dashboard/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await communicator.connect()
    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


@pytest.mark.parametrize("origin", [b"https://evil.example", b"http://127.0.0.1.evil.example", b"null"])
async def test_a_foreign_origin_is_refused_before_the_consumer(origin: bytes) -> None:
    communicator = WebsocketCommunicator(application, "/ws/dashboard/", headers=[(b"origin", origin)])
    connected, code = await communicator.connect()
    assert connected is False and code != CLOSE_UNAUTHENTICATED  # the origin check, not the login check, said no


async def test_staff_without_a_role_is_refused() -> None:
    nobody = await database_sync_to_async(make_operator)("nobody", role=None)
    connected, code = await socket_as(nobody).connect()
    assert (connected, code) == (False, CLOSE_FORBIDDEN)


async def test_a_role_member_who_is_not_staff_is_refused() -> None:
    outsider = await database_sync_to_async(make_operator)("outsider", role="viewer", staff=False)
    connected, code = await socket_as(outsider).connect()
    assert (connected, code) == (False, CLOSE_FORBIDDEN)


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_gets_the_snapshot(role: str) -> None:
    user = await database_sync_to_async(make_operator)(role.replace(" ", "_"), role=role)
    communicator = socket_as(user)
    connected, _ = await communicator.connect()
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert first["event"] == "snapshot"
    assert set(first["payload"]) >= {"positions", "open_orders", "fills", "signals", "equity", "risk_state"}
    await communicator.disconnect()


async def test_an_operator_who_loses_the_role_is_dropped(settings: SettingsWrapper) -> None:
    settings.DASHBOARD_TICK_SECONDS = 0.05
    user = await database_sync_to_async(make_operator)("leaver", role="viewer")
    communicator = socket_as(user)
    assert (await communicator.connect())[0]
    await communicator.receive_json_from(timeout=5)
    await database_sync_to_async(user.groups.clear)()
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
