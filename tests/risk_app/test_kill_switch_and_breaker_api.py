"""The risk API: who may read the status, set the kill switch and re-arm the
breaker, and what each change leaves in the audit trail.

Personas: a risk officer (user token, with the two permissions), a staff
viewer without them, a strategy key, and nobody."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from petrosa.core.user_tokens import user_token_create
from risk_app.models import Position, RiskState
from risk_app.services.kill_switch import risk_breaker_trip
from risk_app.services.portfolio import portfolio_day_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]


def token_client(username: str, *permissions: str, is_staff: bool = True) -> APIClient:
    user = get_user_model().objects.create_user(username, password="pw-123456789", is_staff=is_staff)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="risk_app", codename__in=permissions))
    _, plaintext = user_token_create(user=user, actor="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


@pytest.fixture
def officer() -> APIClient:
    return token_client("officer", "change_riskstate", "rearm_breaker")


@pytest.fixture
def viewer() -> APIClient:
    return token_client("viewer")


def state() -> RiskState:
    return RiskState.objects.get(pk=1)


def test_status_shows_mode_breaker_pnl_exposure_and_limits(viewer: APIClient) -> None:
    portfolio_day_open()
    Position.objects.create(symbol="BTCUSDT", side="LONG", quantity=D("0.1"), avg_entry_price=D("51000"),
                            realized_pnl=D("-20"))  # fmt: skip
    body = viewer.get("/api/v1/risk/status").json()
    assert body["mode"] == "active" and body["entries_allowed"] is True
    assert body["breaker"]["tripped"] is False
    # Marked at 50000 (the fixture's price): -100 unrealized, -20 realized since the day opened at 100000.
    assert D(body["today"]["pnl"]) == D("-120")
    assert D(body["exposure"]["open"]) == D("5000")
    assert D(body["exposure"]["cap"]) == D("99880") * D("0.8")
    assert body["limits"]["max_daily_loss_pct"] == "5" and body["limits"]["max_concurrent_positions"] == 10
    assert viewer.get("/risk/status").json()["today"] == body["today"]  # the seed path


def test_the_officer_sets_the_kill_switch_with_a_reason_and_it_is_audited(officer: APIClient) -> None:
    response = officer.post("/api/v1/risk/kill-switch", {"mode": "halted", "reason": "exchange incident"},
                            format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["mode"] == "halted"
    assert response.json()["kill_switch"]["changed_by"] == "user:officer"
    event = AuditEvent.objects.get(kind="risk.mode_changed")
    assert (event.actor, event.data["before"], event.data["after"]) == ("user:officer", "active", "halted")
    assert event.data["reason"] == "exchange incident"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"mode": "halted"}, "reason"), ({"mode": "halted", "reason": "  "}, "reason"), ({"mode": "off", "reason": "x"},
                                                                                       "mode")],
    ids=["no_reason", "blank_reason", "unknown_mode"],
)
def test_bad_kill_switch_input_is_a_400_naming_the_field(officer: APIClient, body: dict[str, Any], field: str) -> None:
    response = officer.post("/api/v1/risk/kill-switch", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not AuditEvent.objects.filter(kind="risk.mode_changed").exists()


def test_who_may_do_what(viewer: APIClient, strategy_client: APIClient) -> None:
    halt = {"mode": "halted", "reason": "x"}
    assert APIClient().get("/api/v1/risk/status").status_code == 401
    assert APIClient().post("/api/v1/risk/kill-switch", halt, format="json").status_code == 401
    assert strategy_client.get("/api/v1/risk/status").status_code == 401  # a strategy key is never an operator
    assert strategy_client.post("/risk/deactivate", {"reason": "x"}, format="json").status_code == 401
    assert viewer.get("/api/v1/risk/status").status_code == 200
    for path, body in [("/api/v1/risk/kill-switch", halt), ("/api/v1/risk/breaker/rearm", {"reason": "x"}),
                       ("/risk/activate", {"reason": "x"}), ("/risk/deactivate", {"reason": "x"})]:  # fmt: skip
        response = viewer.post(path, body, format="json")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"
    outsider = token_client("outsider", is_staff=False)
    assert outsider.get("/api/v1/risk/status").status_code == 403
    assert not AuditEvent.objects.filter(kind__startswith="risk.").exists()


def test_seed_deactivate_means_reduce_only_and_activate_restores(officer: APIClient) -> None:
    assert officer.post("/risk/deactivate", {}, format="json").status_code == 400  # a reason is required
    response = officer.post("/risk/deactivate", {"reason": "volatile open"}, format="json")
    assert response.status_code == 200 and response.json()["mode"] == "reduce_only"
    assert state().mode == "reduce_only"  # never "no risk checks": exits only
    response = officer.post("/risk/activate", {"reason": "calm again"}, format="json")
    assert response.json()["mode"] == "active"
    assert [e.data["after"] for e in AuditEvent.objects.filter(kind="risk.mode_changed").order_by("id")] == [
        "reduce_only", "active",
    ]  # fmt: skip


def test_rearming_needs_a_tripped_breaker_a_reason_and_the_permission(officer: APIClient) -> None:
    response = officer.post("/api/v1/risk/breaker/rearm", {"reason": "checked"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "breaker_not_tripped"

    risk_breaker_trip(detail={"daily_pnl": D("-6000")})
    kill_switch_only = token_client("switcher", "change_riskstate")
    assert kill_switch_only.post("/api/v1/risk/breaker/rearm", {"reason": "x"}, format="json").status_code == 403
    assert officer.get("/api/v1/risk/status").json()["mode"] == "reduce_only"  # tripped: exits only
    assert officer.post("/api/v1/risk/breaker/rearm", {}, format="json").status_code == 400

    response = officer.post("/api/v1/risk/breaker/rearm", {"reason": "losses understood"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "active" and body["breaker"]["tripped"] is False
    assert body["breaker"]["rearmed_by"] == "user:officer" and body["breaker"]["rearm_reason"] == "losses understood"
    event = AuditEvent.objects.get(kind="risk.breaker_rearmed")
    assert event.actor == "user:officer" and event.data["reason"] == "losses understood"


def test_the_kill_switch_cannot_clear_a_tripped_breaker(officer: APIClient) -> None:
    risk_breaker_trip(detail={"daily_pnl": D("-6000")})
    body = officer.post("/risk/activate", {"reason": "try to bypass"}, format="json").json()
    assert body["kill_switch"]["mode"] == "active"
    assert body["mode"] == "reduce_only" and body["breaker"]["tripped"] is True
