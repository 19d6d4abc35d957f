"""Bad input gets a 4xx with field errors and a stable code, and saves nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Signal
from tests.factories import StrategyWithKey

URL = "/api/v1/signals"


def assert_nothing_saved() -> None:
    assert Signal.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="signal.received").exists()


@pytest.mark.django_db
def test_malformed_json_is_400_malformed_json(strategy_client: APIClient) -> None:
    response = strategy_client.post(URL, data='{"symbol": "BTCUSDT", "action": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert_nothing_saved()


@pytest.mark.django_db
def test_nan_is_not_a_number(strategy_client: APIClient) -> None:
    body = '{"symbol": "BTCUSDT", "action": "buy", "confidence": NaN}'
    response = strategy_client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"action": "buy", "confidence": 0.8}, "symbol", "required"),
        ({"symbol": "BTCUSDT", "confidence": 0.8}, "action", "required"),
        ({"symbol": "BTCUSDT", "action": "buy"}, "confidence", "required"),
        ({"symbol": "BTCUSDT", "action": "moon", "confidence": 0.8}, "action", "not a valid choice"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": 1.5}, "confidence", "less than or equal to 1"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": -0.1}, "confidence", "greater than or equal to 0"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": "high"}, "confidence", "valid number"),
        ({"symbol": 42, "action": "buy", "confidence": 0.8}, "symbol", "5-20 letters"),
        ({"symbol": "BTC/USDT", "action": "buy", "confidence": 0.8}, "symbol", "5-20 letters"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "quantity": -1}, "quantity", "greater than"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "timestamp": "yesterday"}, "timestamp", "ISO"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "order_type": "limit"}, "price", "limit price"),
        ({"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "meta": [1, 2]}, "meta", "dictionary"),
    ],
)
def test_field_errors_name_the_field(
    strategy_client: APIClient, payload: dict[str, Any], field: str, fragment: str
) -> None:
    response = strategy_client.post(URL, data=payload, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert fragment in " ".join(error["fields"][field]), error["fields"][field]
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_json_array_body_is_a_400(strategy_client: APIClient) -> None:
    response = strategy_client.post(URL, data=[{"symbol": "BTCUSDT"}], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer ptk_000000000000_not-a-real-key"},
        {"HTTP_AUTHORIZATION": "Bearer garbage"},
        {"HTTP_X_API_KEY": "ptk_abc_def"},
    ],
)
def test_missing_or_unknown_key_is_401(strategy: StrategyWithKey, headers: dict[str, str]) -> None:
    response = APIClient().post(URL, data={"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}, format="json",
                                **headers)  # fmt: skip
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_key_of_another_strategy_cannot_post_for_this_one(
    strategy_client: APIClient, other_strategy: StrategyWithKey
) -> None:
    response = strategy_client.post(
        URL, data={"strategy_id": other_strategy.name, "symbol": "BTCUSDT", "action": "buy", "confidence": 0.8},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "strategy_mismatch"
    assert_nothing_saved()


@pytest.mark.django_db
def test_an_inactive_strategy_is_refused(strategy: StrategyWithKey) -> None:
    strategy.strategy.is_active = False
    strategy.strategy.save()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=strategy.key)
    response = client.post(URL, data={"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}, format="json")
    assert response.status_code == 401
    assert "inactive" in response.json()["error"]["message"]
    assert_nothing_saved()


@pytest.mark.django_db
def test_an_operator_session_cannot_post_signals(operator: Any) -> None:
    client = APIClient()
    client.force_authenticate(operator)
    response = client.post(URL, data={"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "strategy_key_required"
    assert_nothing_saved()


@pytest.mark.django_db
def test_long_float_confidence_is_rounded_not_refused(strategy_client: APIClient) -> None:
    body = '{"symbol": "btcusdt", "action": "buy", "confidence": 0.78333333333333, "position_size_pct": 0.0123456789}'
    response = strategy_client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    signal = Signal.objects.get()
    assert signal.confidence == Decimal("0.78333")
    assert signal.position_size_pct == Decimal("0.012346")
    assert signal.symbol == "BTCUSDT"


@pytest.mark.django_db
def test_prices_keep_every_digit(strategy_client: APIClient) -> None:
    body = '{"symbol": "DOGEUSDT", "action": "buy", "confidence": 0.8, "current_price": 0.123456789012}'
    response = strategy_client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    assert Signal.objects.get().current_price == Decimal("0.123456789012")
    assert response.json()["current_price"] == "0.123456789012"


@pytest.mark.django_db
def test_numbers_inside_free_form_fields_are_stored(strategy_client: APIClient) -> None:
    body = ('{"symbol": "ETHUSDT", "action": "buy", "confidence": 0.78, "strategy_mode": "ml_light", '
            '"model_confidence": 0.82, "model_features": {"rsi": 65, "volume_ratio": 1.2}, '
            '"meta": {"nested": [1.5, {"x": 2}]}, "indicators": {"ema": 3001.25}}')  # fmt: skip
    response = strategy_client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 202, response.content
    signal = Signal.objects.get()
    assert signal.model_features == {"rsi": 65, "volume_ratio": 1.2}
    assert signal.meta == {"nested": [1.5, {"x": 2}]}
    assert signal.indicators == {"ema": 3001.25}
