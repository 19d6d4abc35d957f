"""Who may read and change trading config: staff or view permission read;
only configs_app.change_tradingconfig writes, dry-runs and rolls back;
strategy keys and anonymous callers get the error body, never data."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from configs_app.models import TradingConfigVersion
from tests.configs_app.conftest import user_with

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/config/trading",
    "/api/v1/config/trading/BTCUSDT",
    "/api/v1/config/trading/BTCUSDT/LONG",
    "/api/v1/config/trading/schema",
    "/api/v1/config/trading/defaults",
    "/api/v1/config/health",
    "/api/v1/config/trading/health",
    "/api/v1/config/trading/history",
]
WRITES = [
    ("post", "/api/v1/config/trading", {"parameters": {"leverage": 5}, "reason": "r"}),
    ("post", "/api/v1/config/trading/BTCUSDT", {"parameters": {"leverage": 5}, "reason": "r"}),
    ("post", "/api/v1/config/trading/BTCUSDT/SHORT", {"parameters": {"leverage": 5}, "reason": "r"}),
    ("post", "/api/v1/config/trading/BTCUSDT", {"parameters": {"leverage": 5}, "validate_only": True}),
    ("delete", "/api/v1/config/trading/BTCUSDT", {"reason": "r"}),
    ("post", "/api/v1/config/trading/rollback", {"symbol": "BTCUSDT", "version": 1, "reason": "r"}),
    ("post", "/api/v1/config/validate", {"parameters": {"leverage": 5}}),
]


def _session(staff: bool, *codenames: str) -> APIClient:
    client = APIClient()
    client.force_login(user_with("session_user", *codenames, staff=staff))
    return client


@pytest.mark.parametrize("path", READS)
def test_readers_read_and_others_are_refused(
    path: str, reader: APIClient, outsider: APIClient, strategy_client: APIClient
) -> None:
    assert reader.get(path).status_code == 200
    assert _session(True).get(path).status_code == 200  # staff, no explicit permission
    anonymous = APIClient().get(path)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    for refused in (outsider.get(path), strategy_client.get(path)):
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_only_the_change_permission_writes(
    method: str, path: str, body: dict, reader: APIClient, strategy_client: APIClient, writer: APIClient
) -> None:
    def call(client: APIClient) -> Any:
        return getattr(client, method)(path, body, format="json")

    for client in (reader, strategy_client, _session(True, "view_tradingconfig"), APIClient()):
        response = call(client)
        assert response.status_code in (401, 403), (client, response.content)
        assert "error" in response.json()
    assert not TradingConfigVersion.objects.exists()
    writer.post("/api/v1/config/trading/BTCUSDT", {"parameters": {"leverage": 4}, "reason": "setup"}, format="json")
    assert call(writer).status_code in (200, 201)


def test_the_authenticated_user_is_the_author_and_the_body_label_is_the_agent(writer: APIClient) -> None:
    writer.post(
        "/api/v1/config/trading", {"parameters": {"leverage": 5}, "reason": "r", "changed_by": "admin"}, format="json"
    )
    entry = TradingConfigVersion.objects.get()
    assert (entry.changed_by, entry.agent) == ("user:writer", "admin")
