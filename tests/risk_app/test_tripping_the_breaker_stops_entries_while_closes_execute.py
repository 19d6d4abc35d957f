"""The daily-loss breaker, end to end through the real pipeline (eager mode):
a losing fill past max_daily_loss_pct trips it; a new entry is refused with
daily_loss_breaker; a close still executes; an operator's re-arm, with a
reason, lets entries through again. Every step is in the audit trail."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from configs_app.services import config_set_global
from execution_app.models import Order, OrderStatus
from petrosa.core.market import price_set
from petrosa.core.models import AuditEvent
from risk_app.models import Position, RiskState
from signals_app.models import Signal, SignalStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline", "prices")]


def send(client: APIClient, **payload: Any) -> Signal:
    body = {"action": "buy", "confidence": 0.8, **payload}
    response = client.post("/api/v1/signals", data=body, format="json")
    assert response.status_code == 202, response.content
    signal = Signal.objects.get(pk=response.json()["id"])
    return signal


def held(symbol: str) -> D:
    return sum((p.quantity for p in Position.objects.filter(symbol=symbol)), D("0"))


@pytest.fixture
def risk_officer() -> APIClient:
    user = get_user_model().objects.create_user("officer", password="pw-123456789", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="risk_app", codename="rearm_breaker"))
    client = APIClient()
    client.force_login(user)
    return client


def test_a_losing_day_trips_the_breaker_closes_still_run_and_a_rearm_restores_entries(
    strategy_client: APIClient, risk_officer: APIClient
) -> None:
    # 1 % of the 100000 start-of-day equity: a 1000 loss trips it. No protective orders, so
    # only our own close realizes the loss.
    config_set_global(parameters={"max_daily_loss_pct": D("1"), "risk_management_enabled": False},
                      changed_by="test", reason="tight breaker")  # fmt: skip
    send(strategy_client, symbol="ETHUSDT", quantity="1")
    send(strategy_client, symbol="BTCUSDT", quantity="0.2")
    assert held("ETHUSDT") == 1 and held("BTCUSDT") == D("0.2")

    price_set(symbol="BTCUSDT", price=D("44000"), source="test")
    closed_at_a_loss = send(strategy_client, symbol="BTCUSDT", action="close")
    closed_at_a_loss.refresh_from_db()
    assert closed_at_a_loss.status == SignalStatus.ORDERED  # (44000 - 50000) × 0.2 = -1200, plus fees
    state = RiskState.objects.get(pk=1)
    assert state.breaker_tripped and state.effective_mode == "reduce_only"
    assert D(state.breaker_detail["daily_pnl"]) < D("-1200")

    refused = send(strategy_client, symbol="DOGEUSDT", quantity="1000")
    refused.refresh_from_db()
    assert (refused.status, refused.status_reason) == (SignalStatus.REJECTED, "daily_loss_breaker")
    assert not Order.objects.filter(signal=refused).exists()

    close = send(strategy_client, symbol="ETHUSDT", action="close", confidence=0.1)
    close.refresh_from_db()
    assert close.status == SignalStatus.ORDERED, close.status_reason
    assert Order.objects.get(signal=close).status == OrderStatus.FILLED
    assert held("ETHUSDT") == 0

    response = risk_officer.post("/api/v1/risk/breaker/rearm", {"reason": "loss reviewed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["mode"] == "active"

    again = send(strategy_client, symbol="DOGEUSDT", quantity="1000")
    again.refresh_from_db()
    assert (again.status, again.status_reason) == (SignalStatus.ORDERED, "risk_approved")
    assert held("DOGEUSDT") == 1000

    tripped = AuditEvent.objects.get(kind="risk.breaker_tripped")
    assert tripped.actor == "risk_gate" and tripped.data["reason"] == "daily_loss_breaker"
    assert AuditEvent.objects.filter(kind="risk.rejected", data__reason_code="daily_loss_breaker").count() == 1
    rearmed = AuditEvent.objects.get(kind="risk.breaker_rearmed")
    assert (rearmed.actor, rearmed.data["reason"]) == ("user:officer", "loss reviewed")
    assert tripped.pk < rearmed.pk
