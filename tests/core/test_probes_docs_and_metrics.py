"""Health probes, version, metrics and API docs: unauthenticated and informative."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_names_the_trading_mode_and_components(client: Client) -> None:
    body = client.get("/health").json()  # statuses in detail: tests/core/test_health_components.py
    assert body["trading_mode"] == "paper"
    assert body["components"]["database"]["detail"] == "postgresql"


def test_ready_and_live(client: Client) -> None:
    assert client.get("/ready").json() == {"ready": True}
    assert client.get("/live").json() == {"alive": True}


def test_version_names_the_build(client: Client) -> None:
    body = client.get("/version").json()
    assert body["name"] == "Petrosa Control Plane"
    assert body["version"] == "0.1.0"
    assert body["api_version"] == "v1"


def test_metrics_are_prometheus_text(client: Client) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


def test_openapi_schema_documents_the_signal_endpoints(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "post" in schema["paths"]["/api/v1/signals"]
    assert "get" in schema["paths"]["/api/v1/signals/{signal_id}"]
    assert "SignalInputRequest" in schema["components"]["schemas"]


def test_api_docs_page_uses_local_static_files_not_a_cdn(client: Client) -> None:
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_signal_endpoints_need_authentication(client: Client) -> None:
    assert client.get("/api/v1/signals").status_code == 401
    assert client.get("/api/v1/signals/1").status_code == 401


def test_dashboard_needs_a_login(client: Client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_openapi_schema_declares_the_strategy_key_scheme(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["strategyKey"]["scheme"] == "bearer"
    assert {"strategyKey": []} in schema["paths"]["/api/v1/signals"]["post"]["security"]
