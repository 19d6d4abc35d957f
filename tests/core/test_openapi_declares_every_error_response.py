"""/api/schema/ declares the error responses the endpoints really give, with the
error envelope of petrosa.core.errors as their body: 401/403/503 on every
authenticated operation, 400/415 with a body, 404 with path parameters, 429
when throttled, and each endpoint's own 409/422/503. Real error answers match
the declared envelope and their status is among the operation's documented ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for route, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {route}", item[method]


def _authenticated(operation: dict[str, Any]) -> bool:
    security = operation.get("security", [])
    return bool(security) and {} not in security


def _envelope_declared(operation: dict[str, Any], status: str) -> bool:
    response = operation["responses"].get(status) or {}
    return (response.get("content") or {}).get("application/json", {}).get("schema", {}).get("$ref") == ENVELOPE_REF


def test_every_authenticated_operation_declares_401_403_and_503_with_the_envelope(schema: dict[str, Any]) -> None:
    authenticated = [(name, op) for name, op in _operations(schema) if _authenticated(op)]
    assert len(authenticated) > 50
    missing = [f"{name} {status}" for name, op in authenticated for status in ("401", "403", "503")
               if not _envelope_declared(op, status)]  # fmt: skip
    assert missing == []


def test_every_operation_with_a_body_declares_400_and_415(schema: dict[str, Any]) -> None:
    with_body = [(name, op) for name, op in _operations(schema) if "requestBody" in op]
    assert len(with_body) > 20
    missing = [f"{name} {status}" for name, op in with_body for status in ("400", "415")
               if not _envelope_declared(op, status)]  # fmt: skip
    assert missing == []


def test_every_operation_with_query_parameters_declares_400(schema: dict[str, Any]) -> None:
    with_query = [(name, op) for name, op in _operations(schema)
                  if any(p["in"] == "query" for p in op.get("parameters", []))]  # fmt: skip
    assert "GET /api/v1/signals" in dict(with_query)  # its filters and limit are documented now
    assert [name for name, op in with_query if not _envelope_declared(op, "400")] == []


def test_every_operation_with_path_parameters_declares_404_and_ids_are_not_negative(schema: dict[str, Any]) -> None:
    with_path = [(name, op) for name, op in _operations(schema)
                 if any(p["in"] == "path" for p in op.get("parameters", []))]  # fmt: skip
    assert len(with_path) > 15
    assert [name for name, op in with_path if not _envelope_declared(op, "404")] == []
    integer_ids = [p for _, op in with_path for p in op["parameters"]
                   if p["in"] == "path" and p["schema"]["type"] == "integer"]  # fmt: skip
    assert integer_ids and all(p["schema"]["minimum"] == 0 for p in integer_ids)


def test_every_error_response_has_the_envelope_as_its_body(schema: dict[str, Any]) -> None:
    bare = [f"{name} {status}" for name, op in _operations(schema) for status in op["responses"]
            if status[0] in "45" and not _envelope_declared(op, status)]  # fmt: skip
    assert bare == []
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]
    assert set(error["properties"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    ("operation", "status", "words"),
    [
        ("POST /api/v1/signals", "422", "idempotency_key_reused"),
        ("POST /api/v1/orders", "422", "idempotency_key_reused"),
        ("POST /trade", "422", "idempotency_key_reused"),
        ("POST /api/v1/config/trading", "409", "stale_version"),
        ("DELETE /api/v1/orders/{order_id}", "409", "order_finished"),
        ("POST /api/v1/config/leverage/{symbol}/sync", "422", "exchange_rejected"),
        ("POST /api/v1/reconciliation/run", "422", "not_supported_in_mode"),
        ("POST /api/v1/reconciliation/issues/{issue_id}/resolve", "409", "issue_settled"),
        ("POST /api/v1/risk/breaker/rearm", "409", "breaker_not_tripped"),
        ("POST /api/v1/ai/ideas/{idea_id}/action", "409", "idea_not_pending"),
        ("POST /api/v1/ai/analyze", "503", "advisor_unavailable"),
        ("POST /api/v1/market/simulate", "422", "simulation_unavailable"),
    ],
)
def test_endpoint_specific_errors_are_declared(schema: dict[str, Any], operation: str, status: str, words: str) -> None:
    declared = dict(_operations(schema))[operation]
    assert _envelope_declared(declared, status)
    assert words in declared["responses"][status]["description"]


def test_a_config_write_that_creates_the_scope_documents_its_201(schema: dict[str, Any]) -> None:
    scopes = ("/api/v1/config/trading", "/api/v1/config/trading/{symbol}", "/api/v1/config/trading/{symbol}/{side}")
    for route in scopes:
        created = schema["paths"][route]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        assert created["$ref"] == "#/components/schemas/ConfigResponse"


@pytest.mark.django_db
def test_real_error_answers_match_the_envelope_and_are_documented(schema: dict[str, Any],
                                                                  strategy_client: APIClient) -> None:  # fmt: skip
    envelope = {"$ref": ENVELOPE_REF, "components": schema["components"]}
    anonymous = APIClient()
    body = {"symbol": "BTCUSDT", "action": "buy", "confidence": "0.8"}
    strategy_client.post("/api/v1/signals", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    answers = {
        ("POST /api/v1/signals", 401): anonymous.post("/api/v1/signals", body, format="json"),
        ("POST /api/v1/signals", 400): strategy_client.post("/api/v1/signals", {"symbol": "x"}, format="json"),
        ("POST /api/v1/signals", 415): strategy_client.post("/api/v1/signals", "hello", content_type="text/plain"),
        ("POST /api/v1/signals", 422): strategy_client.post(
            "/api/v1/signals", {**body, "confidence": "0.9"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
        ),
        ("GET /api/v1/config/health", 403): strategy_client.get("/api/v1/config/health"),
        ("GET /api/v1/signals/{signal_id}", 404): strategy_client.get("/api/v1/signals/987654"),
        ("GET /api/v1/orders/{order_id}", 404): strategy_client.get("/api/v1/orders/-1"),  # no route: Django's 404
        ("GET /signals/summary", 400): strategy_client.get("/signals/summary", {"since_minutes": "soon"}),
    }
    operations = dict(_operations(schema))
    for (operation, status), response in answers.items():
        assert response.status_code == status, (operation, response.content)
        assert response["Content-Type"] == "application/json", operation
        assert str(status) in operations[operation]["responses"], operation
        jsonschema.validate(response.json(), envelope)


class _NewInput(serializers.Serializer):
    name = serializers.CharField()


class _TenPerMinute(AnonRateThrottle):
    rate = "10/minute"


@extend_schema(request=_NewInput, responses={200: _NewInput})
@api_view(["POST"])
@throttle_classes([_TenPerMinute])
def _new_endpoint(request: Request, thing_id: int) -> Response:
    return Response({})


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def _public_endpoint(request: Request) -> Response:
    return Response({})


def test_a_new_endpoint_gets_its_error_responses_without_declaring_them() -> None:
    generated = SchemaGenerator(
        patterns=[path("things/<int:thing_id>", _new_endpoint), path("public", _public_endpoint)]
    ).get_schema(request=None, public=True)
    guarded = generated["paths"]["/things/{thing_id}"]["post"]
    assert {"400", "401", "403", "404", "415", "429", "503"} <= set(guarded["responses"])
    assert all(_envelope_declared(guarded, status) for status in ("400", "401", "403", "404", "415", "429", "503"))
    assert "Retry-After" in guarded["responses"]["429"]["headers"]
    public = generated["paths"]["/public"]["get"]
    assert set(public["responses"]) == {"200"}
