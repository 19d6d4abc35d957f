"""POST /api/v1/market/simulate with a JSON array, number or string as its body
is a 400 validation_error, not a 500 (found by schemathesis), and moves no price."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from petrosa.core.models import MarketPrice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["5", '["BTCUSDT", 1]', '"BTCUSDT"', "true"])
def test_a_body_that_is_not_an_object_is_refused(operator: Any, body: str) -> None:
    client = APIClient()
    client.force_authenticate(operator)
    response = client.post("/api/v1/market/simulate", body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {"non_field_errors": ["Not an object."]}
    assert not MarketPrice.objects.exists()
