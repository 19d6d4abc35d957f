"""A confidence or fraction too large to round (1e30 to 5 places needs more
digits than the decimal context has) is a 400 naming the field, not a 500;
found by schemathesis against POST /api/v1/signals."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from signals_app.models import Signal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "number", "words"),
    [
        ("confidence", "1e30", "less than or equal to 1"),
        ("confidence", "10000000000000000000000000000000000000000", "less than or equal to 1"),
        ("position_size_pct", "-1e30", "greater than or equal to 0"),
        ("take_profit_pct", "1e22", "less than or equal to 1"),
        ("model_confidence", "9.99e99", "less than or equal to 1"),
    ],
)
def test_a_huge_number_is_refused_with_its_field_named(strategy_client: APIClient, field: str, number: str,
                                                       words: str) -> None:  # fmt: skip
    fields = {"symbol": '"BTCUSDT"', "action": '"buy"', "confidence": "0.8", field: number}
    body = "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"
    response = strategy_client.post("/api/v1/signals", body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert words in error["fields"][field][0]
    assert not Signal.objects.exists()


def test_a_tiny_fraction_still_rounds(strategy_client: APIClient) -> None:
    body = '{"symbol": "BTCUSDT", "action": "buy", "confidence": 0.7833333333, "stop_loss_pct": 1e-40}'
    response = strategy_client.post("/api/v1/signals", body, content_type="application/json")
    assert response.status_code == 202, response.content
    assert response.json()["confidence"] == "0.78333"
