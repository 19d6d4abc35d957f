"""A retried POST with the same idempotency key never makes a second signal."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from signals_app.models import Signal

pytestmark = pytest.mark.django_db

BODY = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}


def test_same_key_same_body_returns_the_first_signal(strategy_client: APIClient) -> None:
    first = strategy_client.post("/api/v1/signals", data=BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = strategy_client.post("/api/v1/signals", data=BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Signal.objects.count() == 1


def test_signal_id_in_the_body_is_an_idempotency_key(strategy_client: APIClient) -> None:
    body = {**BODY, "signal_id": "sig-42"}
    first = strategy_client.post("/api/v1/signals", data=body, format="json")
    again = strategy_client.post("/api/v1/signals", data=body, format="json")
    assert again.json()["id"] == first.json()["id"]
    assert Signal.objects.get().idempotency_key == "sig-42"


def test_same_key_different_body_is_422(strategy_client: APIClient) -> None:
    strategy_client.post("/api/v1/signals", data=BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    response = strategy_client.post(
        "/api/v1/signals", data={**BODY, "confidence": 0.9}, format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Signal.objects.count() == 1


def test_keys_are_per_strategy(strategy_client: APIClient, other_strategy: object) -> None:
    other = APIClient()
    other.credentials(HTTP_X_API_KEY=other_strategy.key)  # type: ignore[attr-defined]
    a = strategy_client.post("/api/v1/signals", data=BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    b = other.post("/api/v1/signals", data=BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert a.json()["id"] != b.json()["id"]
    assert Signal.objects.count() == 2


def test_a_strategy_only_sees_its_own_signals(strategy_client: APIClient, other_strategy: object) -> None:
    mine = strategy_client.post("/api/v1/signals", data=BODY, format="json").json()["id"]
    other = APIClient()
    other.credentials(HTTP_X_API_KEY=other_strategy.key)  # type: ignore[attr-defined]
    assert other.get(f"/api/v1/signals/{mine}").status_code == 404
    assert other.get("/api/v1/signals").json() == []
    assert [s["id"] for s in strategy_client.get("/api/v1/signals").json()] == [mine]
