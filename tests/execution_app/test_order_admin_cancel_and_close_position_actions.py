"""The admin: orders with their fills and protective legs, positions with live P&L,
and the two operator actions — cancel an order, close a position — each gated by its
permission, needing a reason, and audited with the operator's name."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from execution_app.models import Order, OrderStatus
from execution_app.services.pipeline import signal_execute
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from signals_app.models import Signal
from tests.execution_app.order_helpers import accepted_signal, configure
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices", "eager_pipeline")]
VIEW = ("view_order", "view_fill", "view_positionbook", "view_positionflag")


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    configure(duplicate_signal_window_seconds=0, max_positions_per_symbol=10, risk_management_enabled=True)


def _client(username: str, *codenames: str) -> Client:
    user = get_user_model().objects.create_user(username, password="pw-123456-abc", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=[*VIEW, *codenames]))
    client = Client()
    client.force_login(user)
    return client


def _long(strategy: StrategyWithKey, **fields: Any) -> Order:
    signal = accepted_signal(strategy.strategy, quantity=D("0.01"), **fields)
    signal_execute(signal_id=signal.pk)
    return Order.objects.get(signal=signal, role="entry")


def test_an_order_page_shows_its_fills_and_protective_legs(strategy: StrategyWithKey) -> None:
    entry = _long(strategy)
    page = _client("watcher").get(f"/admin/execution_app/order/{entry.pk}/change/").content.decode()
    stop = Order.objects.get(parent=entry, role="stop_loss")
    assert entry.fills.get().trade_id in page
    assert stop.client_order_id in page and "49000" in page
    listing = _client("lister").get("/admin/execution_app/order/?role__exact=stop_loss").content.decode()
    assert stop.client_order_id in listing and entry.client_order_id not in listing


def test_cancel_needs_the_permission_and_a_reason(strategy: StrategyWithKey) -> None:
    resting = _long(strategy, order_type="limit", price=D("49000"))
    url = f"/admin/execution_app/order/{resting.pk}/cancel/"
    assert _client("no-perm").post(url, {"reason": "x"}).status_code == 403
    operator = _client("canceller", "cancel_order")
    assert "Reason" in operator.get(url).content.decode()
    operator.post(url, {"reason": ""})
    assert Order.objects.get(pk=resting.pk).status == OrderStatus.OPEN  # no reason, no cancel
    operator.post(url, {"reason": "price ran away"})
    assert Order.objects.get(pk=resting.pk).status == OrderStatus.CANCELED
    audit = AuditEvent.objects.get(kind="order.cancel_requested", entity_id=str(resting.pk))
    assert (audit.actor, audit.data["reason"]) == ("user:canceller", "price ran away")


def test_positions_show_live_pnl_and_can_be_closed_with_a_reason(
    strategy: StrategyWithKey, django_capture_on_commit_callbacks: Any
) -> None:
    entry = _long(strategy)
    price_set(symbol="BTCUSDT", price=D("50700"), source="test")
    position = Position.objects.get(symbol="BTCUSDT", side="LONG")
    listing = _client("watcher").get("/admin/execution_app/positionbook/").content.decode()
    assert 'field-unrealized">7<' in listing and 'field-mark">50700' in listing  # (50700 − 50000) × 0.01
    url = f"/admin/execution_app/positionbook/{position.pk}/close/"
    assert _client("no-perm").post(url, {"reason": "x"}).status_code == 403
    closer = _client("closer", "close_position")
    with django_capture_on_commit_callbacks(execute=True):
        response = closer.post(url, {"reason": "end of day"})
    assert response.status_code == 302
    signal = Signal.objects.get(source="manual", action="close")
    assert (signal.status, signal.rationale, signal.meta["position_side"]) == ("ordered", "end of day", "LONG")
    assert AuditEvent.objects.get(kind="signal.received", entity_id=str(signal.pk)).actor == "user:closer"
    assert Position.objects.get(pk=position.pk).quantity == D("0")
    assert set(Order.objects.filter(parent=entry).values_list("status", flat=True)) == {OrderStatus.CANCELED}
