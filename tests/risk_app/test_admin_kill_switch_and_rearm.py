"""The admin's kill switch and breaker re-arm: permission-gated, a reason
required, audited with the operator's name."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from petrosa.core.models import AuditEvent
from risk_app.models import RiskState
from risk_app.services.kill_switch import risk_breaker_trip

pytestmark = pytest.mark.django_db

KILL_SWITCH = "/admin/risk_app/riskstate/kill-switch/"
REARM = "/admin/risk_app/riskstate/breaker-rearm/"


def staff(username: str, *permissions: str) -> Client:
    user = get_user_model().objects.create_user(username, password="pw-123456789", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="risk_app", codename__in=permissions))
    client = Client()
    client.force_login(user)
    return client


def test_staff_without_the_permissions_cannot_use_either_control() -> None:
    client = staff("viewer", "view_riskstate")
    assert client.get(KILL_SWITCH).status_code == 403
    assert client.post(KILL_SWITCH, {"mode": "halted", "reason": "x"}).status_code == 403
    assert client.post(REARM, {"reason": "x"}).status_code == 403
    assert not AuditEvent.objects.filter(kind__startswith="risk.").exists()


def test_the_kill_switch_needs_a_reason_then_changes_the_mode_and_is_audited() -> None:
    client = staff("officer", "view_riskstate", "change_riskstate")
    page = client.get("/admin/risk_app/riskstate/").content.decode()
    assert KILL_SWITCH in page and REARM not in page  # only the button this officer may press

    response = client.post(KILL_SWITCH, {"mode": "halted", "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert RiskState.objects.get(pk=1).mode == "active"

    response = client.post(KILL_SWITCH, {"mode": "halted", "reason": "exchange maintenance"})
    assert response.status_code == 302
    assert RiskState.objects.get(pk=1).mode == "halted"
    event = AuditEvent.objects.get(kind="risk.mode_changed")
    assert (event.actor, event.data["reason"]) == ("user:officer", "exchange maintenance")


def test_rearming_the_breaker_in_the_admin() -> None:
    client = staff("officer", "view_riskstate", "rearm_breaker")
    client.post(REARM, {"reason": "not tripped yet"}, follow=True)
    assert not AuditEvent.objects.filter(kind="risk.breaker_rearmed").exists()  # refused: nothing to re-arm

    risk_breaker_trip(detail={"daily_pnl": D("-6000")})
    page = client.get(REARM).content.decode()
    assert "tripped" in page and "-6000" in page
    response = client.post(REARM, {"reason": "reviewed the losing strategy"})
    assert response.status_code == 302
    state = RiskState.objects.get(pk=1)
    assert not state.breaker_tripped and state.breaker_rearmed_by == "user:officer"
    assert AuditEvent.objects.get(kind="risk.breaker_rearmed").data["reason"] == "reviewed the losing strategy"
