"""/health names every component with a status and a clear message; anything
but the database and the audit trail only degrades the service."""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings

from petrosa.core.health import worker_heartbeat_write
from petrosa.core.models import AuditEvent
from tests.e2e.processes import Process, free_port, port_open, wait_for

pytestmark = pytest.mark.django_db

CLOSED = f"redis://127.0.0.1:{free_port()}/0"


def broken_exchange() -> tuple[bool, str]:
    raise ConnectionError("binance ping timed out")


@pytest.fixture
def both_queues_served() -> None:
    worker_heartbeat_write(worker="w1@test", pid=os.getpid(), queues=["signals", "execution"])


def test_every_component_up_is_healthy(client: Client, both_queues_served: None) -> None:
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "healthy", body["warnings"]
    assert set(body["components"]) == {"database", "audit", "redis", "broker", "worker_heartbeat", "exchange"}
    assert all(c["ok"] and c["status"] == "healthy" for c in body["components"].values())
    assert body["components"]["database"]["detail"] == "postgresql"
    assert body["components"]["audit"]["detail"] == "audit trail writable"
    assert body["components"]["worker_heartbeat"]["detail"] == "1 alive: w1@test"
    assert body["components"]["exchange"]["detail"].startswith("paper: in-process paper exchange")
    assert body["components"]["database"]["critical"] and not body["components"]["redis"]["critical"]
    assert body["warnings"] == []


def test_the_audit_probe_writes_nothing(client: Client) -> None:
    before = AuditEvent.objects.count()
    client.get("/health")
    client.get("/ready")
    assert AuditEvent.objects.count() == before


def test_a_read_only_database_makes_the_audit_unwritable_and_the_service_not_ready(client: Client) -> None:
    with connection.cursor() as cursor:  # what a failover to a standby looks like from here
        cursor.execute("SET LOCAL transaction_read_only = on")
    response = client.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "unhealthy"
    assert response.json()["components"]["audit"]["detail"] == (
        "audit trail not writable: the database session is read-only; live trading refuses"
    )
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["reasons"] == [
        "audit: audit trail not writable: the database session is read-only; live trading refuses"
    ]


def test_without_a_worker_heartbeat_the_service_is_degraded_but_ready(client: Client) -> None:
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["components"]["worker_heartbeat"]["status"] == "degraded"
    assert body["warnings"] == [
        "worker_heartbeat: no worker heartbeat: signals are accepted but wait until a worker runs"
    ]
    assert client.get("/ready").json() == {"ready": True}


def test_a_queue_nobody_consumes_is_named(client: Client) -> None:
    worker_heartbeat_write(worker="s1@test", pid=os.getpid(), queues=["signals"])
    component = client.get("/health").json()["components"]["worker_heartbeat"]
    assert component["ok"] is False
    assert component["detail"] == "no worker consumes execution (alive: s1@test)"


@override_settings(REDIS_URL=CLOSED, CELERY_BROKER_URL=CLOSED)
def test_redis_down_degrades_with_a_message_and_stays_ready(client: Client) -> None:
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    components = body["components"]
    assert components["redis"]["detail"] == (
        "unreachable (ConnectionError): signals are still accepted and run once Redis returns"
    )
    assert components["broker"]["detail"].startswith("unreachable (ConnectionError): tasks cannot be queued")
    assert components["worker_heartbeat"]["detail"] == "unknown: Redis unreachable (ConnectionError)"
    assert components["database"]["ok"] and components["audit"]["ok"]
    assert client.get("/ready").status_code == 200


@override_settings(PETROSA_EXCHANGE_HEALTH_CHECK="tests.core.test_health_components.broken_exchange")
def test_an_unreachable_exchange_degrades(client: Client, both_queues_served: None) -> None:
    body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert body["warnings"] == ["exchange: unreachable (ConnectionError: binance ping timed out)"]


@pytest.fixture
def nats_server(tmp_path: Any) -> Iterator[int]:
    port = free_port()
    server = Process("nats", ["nats-server", "-a", "127.0.0.1", "-p", str(port)], dict(os.environ))
    wait_for(lambda: port_open(port), timeout=20, what="nats-server")
    yield port
    server.kill()


def test_nats_is_listed_only_when_enabled(client: Client, nats_server: int, both_queues_served: None) -> None:
    assert "nats" not in client.get("/health").json()["components"]
    with override_settings(NATS_URL=f"nats://127.0.0.1:{nats_server}"):
        assert client.get("/health").json()["components"]["nats"] == {
            "ok": True, "status": "healthy", "critical": False, "detail": f"127.0.0.1:{nats_server} reachable",
            "latency_ms": pytest.approx(0, abs=500),
        }  # fmt: skip
    closed = free_port()
    with override_settings(NATS_URL=f"nats://127.0.0.1:{closed}"):
        body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert body["components"]["nats"]["detail"] == (
        f"127.0.0.1:{closed} unreachable (ConnectionRefusedError): NATS intake paused"
    )
