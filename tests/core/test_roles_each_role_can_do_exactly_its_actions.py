"""Each operator role can do exactly its actions, and every other user is
refused, whichever door they try: the admin, the API. (The websocket: every
role may watch, a staff user without a role may not; see
tests/execution_app/test_dashboard_socket_admits_only_operators.py.)

The expected matrix is written out here, independently of the migration
that creates the groups, so a change to either shows up as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from signals_app.models import SignalStatus
from signals_app.models_ideas import TradeIdea
from tests.factories import SignalFactory, make_strategy
from tests.operators import ROLES, make_operator, session_client, token_client

pytestmark = pytest.mark.django_db

ALL = frozenset(ROLES)
EXPECTED: dict[str, frozenset[str]] = {
    "see admin lists": ALL,
    "see the dashboard": ALL,
    "list AI ideas (API)": ALL,
    "ask the AI advisor (API)": frozenset({"trader", "reviewer", "admin"}),
    "review a conflict (admin)": frozenset({"reviewer", "admin"}),
    "review an AI idea (admin)": frozenset({"reviewer", "admin"}),
    "review an AI idea (API)": frozenset({"reviewer", "admin"}),
    "place a manual order (API)": frozenset({"trader", "admin"}),
    "cancel an order (admin)": frozenset({"trader", "risk officer", "admin"}),
    "close a position (admin)": frozenset({"trader", "risk officer", "admin"}),
    "change a config (admin)": frozenset({"risk officer", "admin"}),
    "change a strategy (API)": frozenset({"risk officer", "admin"}),
    "kill switch (admin)": frozenset({"risk officer", "admin"}),
    "kill switch (API)": frozenset({"risk officer", "admin"}),
    "re-arm the breaker (admin)": frozenset({"risk officer", "admin"}),
    "resolve a reconciliation issue (admin)": frozenset({"risk officer", "admin"}),
    "force leverage (admin)": frozenset({"risk officer", "admin"}),
    "manage users (admin)": frozenset({"admin"}),
}


def _pending_signal() -> Any:
    return SignalFactory(strategy=make_strategy("trend_v1").strategy, status=SignalStatus.PENDING_REVIEW,
                         received_at=timezone.now())  # fmt: skip


def _idea() -> TradeIdea:
    return TradeIdea.objects.create(symbol="BTCUSDT", action="close", side="LONG", rationale="test",
                                    confidence=Decimal("0.7"), requested_by="user:test",
                                    expires_at=timezone.now() + timezone.timedelta(minutes=5))  # fmt: skip


# Each action tries the real door and answers: did the user get past the permission check?
# 403 means refused; anything else (200, 201, 302, 400 for an empty form, 404 for a
# missing object) means the permission let them through.
def _passed(status: int) -> bool:
    return status != 403


ACTIONS: dict[str, Callable[[Any], bool]] = {
    "see admin lists": lambda u: _passed(session_client(u).get("/admin/signals_app/signal/").status_code),
    "see the dashboard": lambda u: _passed(session_client(u).get("/dashboard/").status_code),
    "list AI ideas (API)": lambda u: _passed(token_client(u).get("/api/v1/ai/ideas").status_code),
    "ask the AI advisor (API)": lambda u: _passed(
        token_client(u).post("/api/v1/ai/analyze", {}, format="json").status_code
    ),
    "review a conflict (admin)": lambda u: _passed(session_client(u).post(
        f"/admin/signals_app/signalreview/{_pending_signal().pk}/review/", {"reject": "1", "reason": "no"}
    ).status_code),  # fmt: skip
    "review an AI idea (admin)": lambda u: _passed(session_client(u).post(
        f"/admin/signals_app/tradeidea/{_idea().pk}/review/", {"reject": "1", "reason": "no"}
    ).status_code),  # fmt: skip
    "review an AI idea (API)": lambda u: _passed(token_client(u).post(
        f"/api/v1/ai/ideas/{_idea().pk}/action", {"action": "reject", "reason": "no"}, format="json"
    ).status_code),  # fmt: skip
    "place a manual order (API)": lambda u: _passed(
        token_client(u).post("/api/v1/orders", {}, format="json").status_code
    ),
    "cancel an order (admin)": lambda u: _passed(
        session_client(u).get("/admin/execution_app/order/999/cancel/").status_code
    ),
    "close a position (admin)": lambda u: _passed(
        session_client(u).get("/admin/execution_app/positionbook/999/close/").status_code
    ),
    "change a config (admin)": lambda u: _passed(session_client(u).post(
        "/admin/configs_app/tradingconfig/add/", {"symbol": "", "side": "", "reason": "", "_save": "Save"}
    ).status_code),  # fmt: skip
    "change a strategy (API)": lambda u: _passed(token_client(u).post(
        f"/strategies/{make_strategy('mean_rev').name}/deactivate", {"reason": "test"}, format="json"
    ).status_code),  # fmt: skip
    "kill switch (admin)": lambda u: _passed(session_client(u).post(
        "/admin/risk_app/riskstate/kill-switch/", {"mode": "halted", "reason": "test"}
    ).status_code),  # fmt: skip
    "kill switch (API)": lambda u: _passed(token_client(u).post(
        "/api/v1/risk/kill-switch", {"mode": "reduce_only", "reason": "test"}, format="json"
    ).status_code),  # fmt: skip
    "re-arm the breaker (admin)": lambda u: _passed(
        session_client(u).post("/admin/risk_app/riskstate/breaker-rearm/", {"reason": "test"}).status_code
    ),
    "resolve a reconciliation issue (admin)": lambda u: _passed(
        session_client(u).get("/admin/execution_app/reconciliationissue/999/resolve/").status_code
    ),
    "force leverage (admin)": lambda u: _passed(
        session_client(u).get("/admin/execution_app/symbolleverage/999/force/").status_code
    ),
    "manage users (admin)": lambda u: _passed(session_client(u).get("/admin/auth/user/").status_code),
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "no role"])
def test_role_can_do_exactly_its_actions(role: str | None, action: str) -> None:
    user = make_operator(f"user_{(role or 'none').replace(' ', '_')}", role=role, password=None)
    allowed = ACTIONS[action](user)
    assert allowed == (role in EXPECTED[action]), f"{role or 'no role'} / {action}: allowed={allowed}"


def test_the_matrix_covers_every_action() -> None:
    assert set(ACTIONS) == set(EXPECTED)


def test_the_roles_exist_and_only_admin_manages_users() -> None:
    make_operator("x", role=None, password=None)  # re-creates the groups after a flush
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)
    assert not Group.objects.get(name="risk officer").permissions.filter(content_type__app_label="auth").exists()
    assert Group.objects.get(name="admin").permissions.filter(codename="change_user").exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page() -> None:
    response = Client().get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
