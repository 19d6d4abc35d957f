"""GET and DELETE /order/{symbol}/{order_id} answer 404 not_found for any
reference that names no order: a superscript digit ("²" passes str.isdigit()
but not int(), a 500 found by schemathesis) or a number past any id."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reference", ["²", "١٢٣", "99999999999999999999999999", "abc"])
@pytest.mark.parametrize("method", ["get", "delete"])
def test_an_unknown_reference_is_not_found(strategy_client: APIClient, method: str, reference: str) -> None:
    response = getattr(strategy_client, method)(f"/order/BTCUSDT/{reference}")
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
