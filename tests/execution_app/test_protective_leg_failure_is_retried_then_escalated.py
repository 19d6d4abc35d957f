"""A protective leg the exchange refuses is placed again up to max_retries times; then
the position is flagged, the operator alerted (audit + dashboard), and, with
PETROSA_FLATTEN_UNPROTECTED on, the unprotected quantity is closed.

The exchange is the paper exchange with a fault injector in front of it that
refuses the stop-loss legs (Binance's -2021), the way a real exchange may."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import override_settings

from execution_app.models import Order, OrderStatus, PositionFlag
from execution_app.services import orders as order_services
from execution_app.services.pipeline import signal_execute
from petrosa.core.broadcast import DASHBOARD_GROUP
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from signals_app.models import Signal
from tests.execution_app.order_helpers import RefusingStopLegs, accepted_signal, configure, tick
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
S = OrderStatus


@pytest.fixture
def exchange(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> RefusingStopLegs:
    fake = RefusingStopLegs(refusals=getattr(request, "param", 99))
    monkeypatch.setattr(order_services, "venue", lambda: fake)
    return fake


def protected_long(strategy: StrategyWithKey, *, max_retries: int) -> Signal:
    configure(risk_management_enabled=False, max_retries=max_retries)
    signal = accepted_signal(strategy.strategy, quantity=D("0.01"), stop_loss_pct=D("0.02"), take_profit_pct=D("0.05"))
    signal_execute(signal_id=signal.pk)
    return signal


def legs(signal: Signal, role: str) -> list[Order]:
    return list(Order.objects.filter(signal=signal, role=role).order_by("leg_attempt"))


def test_a_refused_leg_is_retried_max_retries_times_then_flagged_and_alerted(
    strategy: StrategyWithKey, exchange: RefusingStopLegs
) -> None:
    signal = protected_long(strategy, max_retries=2)
    stops = legs(signal, "stop_loss")
    assert [(leg.leg_attempt, leg.status, leg.status_reason) for leg in stops] == [
        (1, S.REJECTED, "would_trigger_immediately"),
        (2, S.REJECTED, "would_trigger_immediately"),
        (3, S.REJECTED, "would_trigger_immediately"),
    ]
    assert [cid.rsplit("-", 1)[1] for cid in exchange.sent if "-sl" in cid] == ["sl1", "sl2", "sl3"]
    flag = PositionFlag.objects.get()
    assert (flag.symbol, flag.position_side, flag.kind, flag.resolved_at) == ("BTCUSDT", "LONG", "unprotected", None)
    alert = AuditEvent.objects.get(kind="alert.protective_failed")
    assert (alert.data["leg"], alert.data["attempts"], alert.data["flatten"]) == ("stop_loss", 3, False)
    # Without flattening, the take-profit stays and the position stays open, flagged.
    assert legs(signal, "take_profit")[0].status == S.OPEN
    assert Position.objects.get(symbol="BTCUSDT", side="LONG").quantity == D("0.01")


@pytest.mark.parametrize("exchange", [1], indirect=True)
def test_a_leg_refused_once_is_placed_on_the_retry(strategy: StrategyWithKey, exchange: RefusingStopLegs) -> None:
    signal = protected_long(strategy, max_retries=3)
    assert [(leg.leg_attempt, leg.status) for leg in legs(signal, "stop_loss")] == [(1, S.REJECTED), (2, S.OPEN)]
    assert not PositionFlag.objects.exists()
    tick("BTCUSDT", "48900")  # the retried leg protects: it fires, and its sibling is cancelled
    assert legs(signal, "stop_loss")[-1].status == S.FILLED
    assert legs(signal, "take_profit")[0].status == S.CANCELED


@override_settings(FLATTEN_UNPROTECTED_POSITIONS=True)
def test_with_flatten_on_the_unprotected_position_is_closed(
    strategy: StrategyWithKey, exchange: RefusingStopLegs
) -> None:
    signal = protected_long(strategy, max_retries=1)
    assert len(legs(signal, "stop_loss")) == 2
    assert legs(signal, "take_profit")[0].status == S.CANCELED
    (flatten,) = legs(signal, "close")
    assert (flatten.status, flatten.side, flatten.reduce_only, flatten.quantity) == (S.FILLED, "SELL", True, D("0.01"))
    assert Position.objects.get(symbol="BTCUSDT", side="LONG").quantity == D("0")
    flag = PositionFlag.objects.get()
    assert flag.resolved_at is not None and AuditEvent.objects.get(kind="alert.protective_failed").data["flatten"]


def test_the_alert_reaches_the_dashboard(strategy: StrategyWithKey, exchange: RefusingStopLegs,
                                         django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    layer = get_channel_layer()  # channels-redis, on the test Redis
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(DASHBOARD_GROUP, channel)
    with django_capture_on_commit_callbacks(execute=True):
        protected_long(strategy, max_retries=0)
    events = []
    while not any(e["event"] == "alert" for e in events):
        events.append(async_to_sync(asyncio.wait_for)(layer.receive(channel), timeout=5))
    alert = next(e["payload"] for e in events if e["event"] == "alert")
    assert (alert["kind"], alert["leg"], alert["symbol"], alert["attempts"]) == (
        "protective_failed", "stop_loss", "BTCUSDT", 1)  # fmt: skip
