"""The seed and strategy endpoints appear in /api/schema/ with their request
and response shapes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("path", "method", "request_component", "response_status", "response_component"),
    [
        ("/trade", "post", "TradePayloadRequest", "202", "SeedSignalAccepted"),
        ("/trade/signal", "post", "TradeSignalPayloadRequest", "202", "SeedSignalAccepted"),
        ("/strategies/{name}/activate", "post", "StrategyReasonInputRequest", "200", "StrategyChangeOutput"),
        ("/strategies/{name}/deactivate", "post", "StrategyReasonInputRequest", "200", "StrategyChangeOutput"),
        ("/signals/strategy/{name}/weight", "post", "StrategyWeightInputRequest", "200", "StrategyChangeOutput"),
        ("/signals/summary", "get", None, "200", "SignalSummary"),
    ],
)
def test_operation_has_its_shapes(
    schema: dict[str, Any],
    path: str,
    method: str,
    request_component: str | None,
    response_status: str,
    response_component: str,
) -> None:
    operation = schema["paths"][path][method]
    if request_component:
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"] == f"#/components/schemas/{request_component}"
    answer = operation["responses"][response_status]["content"]["application/json"]["schema"]
    assert answer["$ref"] == f"#/components/schemas/{response_component}"


@pytest.mark.parametrize("path", ["/strategies", "/signals/active"])
def test_lists_are_documented(schema: dict[str, Any], path: str) -> None:
    answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["type"] == "array"


def test_seed_meta_fields_are_documented(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert {"simulate", "indicators", "rationale"} <= set(components["TradeMetaRequest"]["properties"])
    assert {"order_type", "stop_loss", "take_profit", "time_in_force"} <= set(
        components["TradeSignalMetaRequest"]["properties"]
    )
    assert set(components["SignalCounts"]["properties"]) == {
        "received", "accepted", "pending_review", "held", "rejected", "ordered", "expired", "total",
    }  # fmt: skip
