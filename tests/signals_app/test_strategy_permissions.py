"""Who may read and change strategies: the permission matrix.

Personas: anonymous, a strategy key, a logged-in user who is not staff, staff
without ``signals_app.change_strategy`` (session), staff with it (DRF token).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from petrosa.core.user_tokens import user_token_create
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Strategy
from tests.factories import StrategyWithKey, make_strategy

pytestmark = pytest.mark.django_db

WRITES = [
    ("/strategies/momentum_v1/deactivate", {"reason": "drawdown"}),
    ("/strategies/dormant_v1/activate", {"reason": "fixed"}),
    ("/signals/strategy/momentum_v1/weight", {"weight": "2.5", "reason": "outperforming"}),
]
READS = ["/strategies", "/signals/summary", "/signals/active"]


@pytest.fixture
def strategies(strategy: StrategyWithKey) -> dict[str, StrategyWithKey]:
    dormant = make_strategy("dormant_v1")
    Strategy.objects.filter(pk=dormant.strategy.pk).update(is_active=False)
    return {"momentum_v1": strategy, "dormant_v1": dormant}


def user_client(username: str, *, is_staff: bool, may_change: bool = False, token: bool = False) -> APIClient:
    user = get_user_model().objects.create_user(username, is_staff=is_staff)  # no password: logged in directly
    if may_change:
        permission = Permission.objects.get(content_type__app_label="signals_app", codename="change_strategy")
        user.user_permissions.add(permission)
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user, actor='test')[1]}")
    else:
        client.force_login(user)
    return client


def persona(name: str, strategies: dict[str, StrategyWithKey]) -> APIClient:
    if name == "anonymous":
        return APIClient()
    if name == "strategy_key":
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=strategies["momentum_v1"].key)
        return client
    if name == "user_not_staff":
        return user_client("viewer", is_staff=False, may_change=True)
    if name == "staff_without_permission":
        return user_client("junior", is_staff=True)
    if name == "staff_with_permission":
        return user_client("senior", is_staff=True, may_change=True, token=True)
    raise AssertionError(name)


def unchanged(strategies: dict[str, StrategyWithKey]) -> bool:
    rows = {s.name: (s.is_active, s.weight) for s in Strategy.objects.all()}
    no_audit = not AuditEvent.objects.filter(kind__startswith="strategy.").exclude(kind="strategy.created").exists()
    return no_audit and rows == {"momentum_v1": (True, Decimal("1")), "dormant_v1": (False, Decimal("1"))}


@pytest.mark.parametrize(("url", "body"), WRITES)
@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("strategy_key", 403, "operator_required"),
        ("user_not_staff", 403, "operator_required"),
        ("staff_without_permission", 403, "permission_denied"),
    ],
)
def test_writes_are_refused_and_change_nothing(
    strategies: dict[str, StrategyWithKey], who: str, status: int, code: str, url: str, body: dict[str, Any]
) -> None:
    response = persona(who, strategies).post(url, data=body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert unchanged(strategies)


@pytest.mark.parametrize(("url", "body"), WRITES)
def test_staff_with_the_permission_may_write(
    strategies: dict[str, StrategyWithKey], url: str, body: dict[str, Any]
) -> None:
    response = persona("staff_with_permission", strategies).post(url, data=body, format="json")
    assert response.status_code == 200, response.content
    change = response.json()["change"]
    assert change["actor"] == "user:senior"
    assert change["reason"] == body["reason"]
    assert not unchanged(strategies)


def test_a_superuser_may_write(strategies: dict[str, StrategyWithKey], operator: Any) -> None:
    client = APIClient()
    client.force_login(operator)
    response = client.post("/strategies/momentum_v1/deactivate", data={"reason": "drawdown"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["strategy"]["is_active"] is False


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("user_not_staff", 403),
        ("strategy_key", 200),
        ("staff_without_permission", 200),
        ("staff_with_permission", 200),
    ],
)
def test_reads_are_for_staff_and_strategy_keys(
    strategies: dict[str, StrategyWithKey], who: str, status: int, url: str
) -> None:
    response = persona(who, strategies).get(url)
    assert response.status_code == status, response.content
    if status != 200:
        assert response.json()["error"]["code"] in {"not_authenticated", "operator_required"}


def test_a_strategy_key_lists_only_itself(strategies: dict[str, StrategyWithKey]) -> None:
    listed = persona("strategy_key", strategies).get("/strategies").json()
    assert [s["name"] for s in listed] == ["momentum_v1"]


def test_staff_list_every_strategy(strategies: dict[str, StrategyWithKey]) -> None:
    listed = persona("staff_without_permission", strategies).get("/strategies").json()
    assert [s["name"] for s in listed] == ["dormant_v1", "momentum_v1"]
