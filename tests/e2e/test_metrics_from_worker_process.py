"""Metrics, heartbeats and correlation ids across processes: a real Celery
worker runs the pipeline; the web's /metrics, the worker's own metrics port,
/health and the worker's JSON log all show it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterator

import pytest
import requests
from django.test import Client
from rest_framework.test import APIClient

from execution_app.models import Order, OrderStatus
from tests.core.metrics_text import Samples, names, parse_metrics, value
from tests.e2e.processes import Process, free_port, start_worker, wait_for

pytestmark = pytest.mark.services


@pytest.fixture
def worker(subprocess_env: dict[str, str]) -> Iterator[tuple[Process, int]]:
    port = free_port()
    env = {**subprocess_env, "PETROSA_WORKER_METRICS_PORT": str(port), "PETROSA_WORKER_HEARTBEAT_SECONDS": "1"}
    process = start_worker(env, concurrency=1, name="metrics-worker")
    yield process, port
    process.kill()


def scrape(client: Client) -> Samples:
    return parse_metrics(client.get("/metrics").content.decode())


def counted(before: Samples, now: Samples) -> bool:
    return all(
        value(now, name, **labels) > value(before, name, **labels)
        for name, labels in (
            ("tradeengine_trades_total", {"status": "filled", "type": "market"}),
            ("tradeengine_tasks_total", {"task": "execution.execute_signal", "outcome": "success"}),
        )
    )


def test_a_worker_process_feeds_metrics_health_and_correlated_logs(
    client: Client, worker: tuple[Process, int], strategy_client: APIClient, prices: dict[str, Decimal]
) -> None:
    process, port = worker
    wait_for(
        lambda: client.get("/health").json()["components"]["worker_heartbeat"]["ok"],
        timeout=15,
        what="the worker's heartbeat",
    )
    health = client.get("/health").json()["components"]["worker_heartbeat"]
    assert health["detail"].startswith("1 alive: metrics-worker-")

    before = scrape(client)
    response = strategy_client.post(
        "/api/v1/signals",
        {"symbol": "ETHUSDT", "action": "buy", "confidence": "0.9", "quantity": "0.05"},
        format="json",
        HTTP_X_CORRELATION_ID="e2e-trace-42",
    )
    assert response.status_code == 202
    signal_id = response.json()["id"]
    try:
        wait_for(
            lambda: Order.objects.filter(signal_id=signal_id, status=OrderStatus.FILLED).exists(),
            timeout=30,
            what="the worker to fill the order",
        )
        # The worker counts after its commit and after the task returns; give it the moment.
        wait_for(lambda: counted(before, scrape(client)), timeout=10, what="the fill and its task to be counted")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\nworker log:\n{process.output()[-4000:]}") from exc
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Counted in the worker's processes, summed by the web's /metrics.
    assert delta("tradeengine_trades_total", status="filled", type="market") == 1
    assert delta("tradeengine_tasks_total", task="signals.process_signal", outcome="success") == 1
    assert delta("tradeengine_tasks_total", task="execution.execute_signal", outcome="success") >= 1
    assert delta("tradeengine_risk_checks_total", result="approved") == 1
    assert delta("tradeengine_latency_seconds_count", status="filled") == 1
    assert value(after, "tradeengine_workers_alive") == 1
    assert value(after, "tradeengine_task_queue_depth", queue="execution") == 0

    # The worker's own port: its counters, without the web's state gauges.
    own = parse_metrics(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
    assert value(own, "tradeengine_tasks_total", task="signals.process_signal", outcome="success") >= 1
    assert "tradeengine_orders" not in names(own)

    # The worker's log lines are JSON and carry the request's correlation id.
    lines = [json.loads(line) for line in process.output().splitlines() if line.startswith("{")]
    traced: dict[str, Any] = {line["task"]: line for line in lines if line.get("correlation_id") == "e2e-trace-42"}
    assert {"signals.process_signal", "execution.execute_signal"} <= set(traced), process.output()[-3000:]
