"""Forcing a leverage sync for a symbol the exchange does not know is the caller's
error (4xx with a stable code), never a 500: the fuzz test found the 500."""

from __future__ import annotations

import pytest

from tests.operators import make_operator, session_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]


@pytest.mark.parametrize(("symbol", "status", "code"), [
    ("ZZZZZUSDT", 422, "exchange_rejected"),  # well-formed, unknown to the exchange
    ("x" * 64, 404, "unknown_symbol"),  # not a symbol at all
])  # fmt: skip
def test_unknown_symbols_get_a_clear_4xx(symbol: str, status: int, code: str) -> None:
    client = session_client(make_operator("officer", role="risk officer", password=None))
    response = client.post(f"/api/v1/config/leverage/{symbol}/sync", {"reason": "fuzz"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
