"""Activating, deactivating and reweighting a strategy: audited with the
operator's reason, 409 when nothing would change, 404 for unknown names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Signal, Strategy
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db: Any) -> APIClient:
    """A superuser named op, logged in by session (no password: hashing is slow)."""
    client = APIClient()
    client.force_login(get_user_model().objects.create_user("op", is_staff=True, is_superuser=True))
    return client


def change_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.exclude(kind="strategy.created").filter(entity_type="strategy").order_by("id"))


def test_deactivation_is_audited_and_the_key_is_refused_at_once(
    operator_client: APIClient, strategy: StrategyWithKey, strategy_client: APIClient
) -> None:
    response = operator_client.post(
        "/strategies/momentum_v1/deactivate", data={"reason": "drawdown over 5%"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["strategy"]["name"] == "momentum_v1"
    assert body["strategy"]["is_active"] is False
    [event] = change_events()
    assert (event.kind, event.actor, event.entity_id) == ("strategy.deactivated", "user:op", str(strategy.strategy.pk))
    assert event.data == {"name": "momentum_v1", "reason": "drawdown over 5%", "before": True, "after": False}
    assert body["change"] == {
        "kind": "strategy.deactivated", "before": True, "after": False, "reason": "drawdown over 5%",
        "actor": "user:op", "audit_event_id": event.pk, "at": body["change"]["at"],
    }  # fmt: skip
    assert Strategy.objects.get(name="momentum_v1").is_active is False

    signal = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}
    refused = strategy_client.post("/trade", data=signal, format="json")
    assert refused.status_code == 401
    assert "inactive" in refused.json()["error"]["message"]
    assert not Signal.objects.exists()


def test_deactivating_twice_is_a_409(operator_client: APIClient, strategy: StrategyWithKey) -> None:
    operator_client.post("/strategies/momentum_v1/deactivate", data={"reason": "pause"}, format="json")
    again = operator_client.post("/strategies/momentum_v1/deactivate", data={"reason": "pause"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_inactive"
    assert len(change_events()) == 1


def test_activation_is_audited_and_twice_is_a_409(operator_client: APIClient, strategy: StrategyWithKey) -> None:
    Strategy.objects.filter(pk=strategy.strategy.pk).update(is_active=False)
    response = operator_client.post("/strategies/momentum_v1/activate", data={"reason": "fixed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["strategy"]["is_active"] is True
    assert Strategy.objects.get(pk=strategy.strategy.pk).is_active is True

    again = operator_client.post("/strategies/momentum_v1/activate", data={"reason": "fixed"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_active"
    [event] = change_events()
    assert (event.kind, event.data["reason"], event.data["after"]) == ("strategy.activated", "fixed", True)


@pytest.mark.parametrize(
    "url", ["/strategies/ghost/activate", "/strategies/ghost/deactivate", "/signals/strategy/ghost/weight"]
)
def test_an_unknown_strategy_is_a_404(operator_client: APIClient, strategy: StrategyWithKey, url: str) -> None:
    response = operator_client.post(url, data={"reason": "x", "weight": "2"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "No strategy named 'ghost'."}
    assert change_events() == []


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
@pytest.mark.parametrize("action", ["activate", "deactivate"])
def test_a_reason_is_required(
    operator_client: APIClient, strategy: StrategyWithKey, body: dict[str, str], action: str
) -> None:
    response = operator_client.post(f"/strategies/momentum_v1/{action}", data=body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reason"]
    assert Strategy.objects.get(name="momentum_v1").is_active is True
    assert change_events() == []


def test_a_weight_change_is_audited_with_before_and_after(
    operator_client: APIClient, strategy: StrategyWithKey
) -> None:
    response = operator_client.post(
        "/signals/strategy/momentum_v1/weight", data={"weight": "2.5", "reason": "best sharpe"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["strategy"]["weight"] == "2.5"
    assert (body["change"]["before"], body["change"]["after"]) == ("1", "2.5")
    assert Strategy.objects.get(name="momentum_v1").weight == Decimal("2.5")
    [event] = change_events()
    assert event.kind == "strategy.weight_changed"
    assert event.data == {"name": "momentum_v1", "reason": "best sharpe", "before": "1", "after": "2.5"}


def test_the_top_weight_is_allowed_and_setting_it_again_is_a_409(
    operator_client: APIClient, strategy: StrategyWithKey
) -> None:
    url = "/signals/strategy/momentum_v1/weight"
    assert operator_client.post(url, data={"weight": 10, "reason": "max"}, format="json").status_code == 200
    again = operator_client.post(url, data={"weight": "10.0000", "reason": "max"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "weight_unchanged"
    assert len(change_events()) == 1


@pytest.mark.parametrize(
    ("weight", "fragment"),
    [
        ("0", "Greater than 0"),
        ("-1", "Greater than 0"),
        ("10.0001", "Greater than 0 and at most 10"),
        ("11", "at most 10"),
        ("0.00001", "decimal places"),
        ("abc", "valid number"),
        (None, "may not be null"),
    ],
)
def test_a_weight_out_of_range_is_a_400(
    operator_client: APIClient, strategy: StrategyWithKey, weight: Any, fragment: str
) -> None:
    response = operator_client.post(
        "/signals/strategy/momentum_v1/weight", data={"weight": weight, "reason": "r"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert fragment in " ".join(response.json()["error"]["fields"]["weight"])
    assert Strategy.objects.get(name="momentum_v1").weight == Decimal("1")
    assert change_events() == []
