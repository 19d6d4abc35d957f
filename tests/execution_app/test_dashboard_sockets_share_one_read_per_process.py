"""Many dashboard sockets in one process cost the database what one does: a
tick reads the live values and re-checks every connected user once, not once
per socket, and a position event is re-marked once. Every socket still gets
the same live diff, and a demoted or deactivated operator among many is
dropped while the others stay. Real Channels consumers over the real
channels-redis layer; queries are counted on every database connection the
process opens."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings as SettingsWrapper

from execution_app.dashboard.consumers import CLOSE_FORBIDDEN, DashboardConsumer
from execution_app.dashboard.selectors import dashboard_allowed, dashboard_allowed_ids
from petrosa.core.broadcast import broadcast_now
from petrosa.core.market import price_set
from petrosa.core.models import MarketPrice
from risk_app.models import Position
from tests.operators import ROLES, make_operator, open_long

pytestmark = pytest.mark.django_db(transaction=True)
SOCKETS = 12
TICK = 0.2


class QueriesOnEveryThread:
    """The SQL run by this process while inside, on whichever thread: every
    database_sync_to_async call connects afresh (CONN_MAX_AGE 0, or the pool),
    so hooking each new connection sees every query."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self.counting = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.counting:
            self.sql.append(sql)
        return execute(sql, params, many, context)

    def _hook(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)

    async def __aenter__(self) -> QueriesOnEveryThread:
        connection_created.connect(self._hook)
        self.counting = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.counting = False
        connection_created.disconnect(self._hook)

    def on(self, table: str) -> int:
        return sum(f'FROM "{table}"' in sql for sql in self.sql)


def two_positions_and_viewers(count: int) -> list[Any]:
    for symbol, price in (("BTCUSDT", "50000"), ("ETHUSDT", "3000")):
        price_set(symbol=symbol, price=Decimal(price), source="test")
    open_long("BTCUSDT", "0.1", "50000")
    open_long("ETHUSDT", "2", "3000")
    return [make_operator(f"watcher{i}", role="viewer", password=None) for i in range(count)]


async def connect_all(users: list[Any]) -> list[WebsocketCommunicator]:
    sockets = []
    for user in users:
        communicator = WebsocketCommunicator(DashboardConsumer.as_asgi(), "/ws/dashboard/")
        communicator.scope["user"] = user
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from(timeout=5))["event"] == "snapshot"
        sockets.append(communicator)
    return sockets


async def disconnect_all(sockets: list[WebsocketCommunicator]) -> None:
    for communicator in sockets:
        await communicator.disconnect()


async def test_a_tick_reads_once_for_all_sockets_and_sends_each_the_same_diff(settings: SettingsWrapper) -> None:
    settings.DASHBOARD_TICK_SECONDS = TICK
    users = await database_sync_to_async(two_positions_and_viewers)(SOCKETS)
    sockets = await connect_all(users)

    started = time.monotonic()
    async with QueriesOnEveryThread() as queries:
        await asyncio.sleep(8 * TICK)
    most_ticks = (time.monotonic() - started) / TICK + 2
    positions_read, users_read = queries.on(Position._meta.db_table), queries.on(get_user_model()._meta.db_table)
    # One socket would read each table about 8 times here; twelve sockets, about 96 times.
    assert 1 <= positions_read <= most_ticks, f"{positions_read} position reads in {most_ticks - 2:.0f} ticks"
    assert 1 <= users_read <= most_ticks, f"{users_read} user reads in {most_ticks - 2:.0f} ticks"

    await database_sync_to_async(price_set)(symbol="ETHUSDT", price=Decimal("3100"), source="test")
    diffs = [await communicator.receive_json_from(timeout=5) for communicator in sockets]
    assert all(diff == diffs[0] for diff in diffs)
    assert diffs[0]["event"] == "live"
    assert diffs[0]["payload"]["positions"] == [
        {"symbol": "ETHUSDT", "side": "LONG", "mark_price": "3100", "unrealized_pnl": "200"}
    ]
    await asyncio.sleep(3 * TICK)
    for communicator in sockets:
        assert await communicator.receive_nothing(timeout=0.01)  # sent once, not again at the next ticks

    await disconnect_all(sockets)
    async with QueriesOnEveryThread() as after_all_left:
        await asyncio.sleep(5 * TICK)
    assert after_all_left.on(Position._meta.db_table) == 0  # nobody watching: the ticker stopped


async def test_a_position_event_is_marked_once_for_all_sockets(settings: SettingsWrapper) -> None:
    settings.DASHBOARD_TICK_SECONDS = 60  # no tick during the test: only the event reads prices
    users = await database_sync_to_async(two_positions_and_viewers)(SOCKETS)
    sockets = await connect_all(users)
    await database_sync_to_async(price_set)(symbol="BTCUSDT", price=Decimal("51000"), source="test")
    stale = {"symbol": "BTCUSDT", "side": "LONG", "quantity": "0.1", "avg_entry_price": "50000",
             "mark_price": None, "realized_pnl": "0", "unrealized_pnl": "0", "fees_paid": "0"}  # fmt: skip

    async with QueriesOnEveryThread() as queries:
        await database_sync_to_async(broadcast_now)("position", stale)
        events = [await communicator.receive_json_from(timeout=5) for communicator in sockets]
    assert all(event == events[0] for event in events)
    assert events[0]["event"] == "position"
    assert events[0]["payload"]["mark_price"] == "51000" and events[0]["payload"]["unrealized_pnl"] == "100"
    assert queries.on(MarketPrice._meta.db_table) == 1, queries.sql
    await disconnect_all(sockets)


def demote(user: Any) -> None:
    user.groups.clear()


def deactivate(user: Any) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.mark.parametrize("lose_access", [demote, deactivate])
async def test_one_operator_losing_access_among_many_is_dropped_alone(
    settings: SettingsWrapper, lose_access: Any
) -> None:
    settings.DASHBOARD_TICK_SECONDS = TICK
    users = await database_sync_to_async(two_positions_and_viewers)(SOCKETS)
    sockets = await connect_all(users)
    leaver, stayers = sockets[SOCKETS // 2], sockets[: SOCKETS // 2] + sockets[SOCKETS // 2 + 1 :]

    await database_sync_to_async(lose_access)(users[SOCKETS // 2])
    assert await leaver.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    await database_sync_to_async(price_set)(symbol="BTCUSDT", price=Decimal("50100"), source="test")
    for communicator in stayers:
        message = await communicator.receive_json_from(timeout=5)
        assert message["event"] == "live" and message["payload"]["positions"][0]["mark_price"] == "50100"
    assert await leaver.receive_nothing(timeout=3 * TICK)
    await disconnect_all(sockets)


def every_kind_of_user() -> list[Any]:
    users = [make_operator(role.replace(" ", "_"), role=role, password=None) for role in ROLES]
    users.append(make_operator("no_role", role=None, password=None))
    users.append(make_operator("not_staff", role="viewer", staff=False, password=None))
    users.append(make_operator("inactive", role="admin", password=None))
    deactivate(users[-1])
    users.append(get_user_model().objects.create_superuser("root", password=None))
    direct = make_operator("direct_grant", role=None, password=None)
    direct.user_permissions.add(Permission.objects.get(codename="view_position", content_type__app_label="risk_app"))
    users.append(direct)
    inactive_root = get_user_model().objects.create_superuser("inactive_root", password=None, is_active=False)
    users.append(inactive_root)
    return [get_user_model().objects.get(pk=user.pk) for user in users]  # fresh: no cached permissions


def test_the_one_query_check_admits_exactly_whom_the_per_user_check_admits() -> None:
    users = every_kind_of_user()
    expected = {user.pk for user in users if dashboard_allowed(user)}
    assert expected and expected != {user.pk for user in users}  # both kinds present
    with CaptureQueriesContext(connection) as queries:
        admitted = dashboard_allowed_ids(user.pk for user in users)
    assert admitted == expected
    assert len(queries) == 1
