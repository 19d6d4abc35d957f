"""Logs: one JSON object per line, one correlation id from the request through
every task of the signal, and no secret ever written."""

from __future__ import annotations

import io
import json
import logging
from decimal import Decimal
from typing import Any, Iterator

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Signal
from petrosa.core.logging import TASK_HEADER, correlation_id_bind, correlation_id_reset
from petrosa.core.metrics.celery_hooks import _on_before_publish
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """A copy of the configured console handler (same filters, same formatter) writing to a buffer."""
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    yield buffer
    root.removeHandler(handler)


def records(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_one_correlation_id_follows_a_signal_through_every_task(
    log_lines: io.StringIO, strategy_client: APIClient, eager_pipeline: None, prices: dict[str, Decimal]
) -> None:
    response = strategy_client.post(
        "/api/v1/signals",
        {"symbol": "BTCUSDT", "action": "buy", "confidence": "0.9", "quantity": "0.01"},
        format="json",
        HTTP_X_CORRELATION_ID="trace-7f3a",
    )
    assert response.status_code == 202
    assert response["X-Correlation-ID"] == "trace-7f3a"
    # The signal row and its audit trail carry the request's id too.
    assert Signal.objects.get(pk=response.json()["id"]).correlation_id == "trace-7f3a"
    assert AuditEvent.objects.filter(correlation_id="trace-7f3a", kind="signal.received").exists()

    lines = records(log_lines)  # every line parsed as JSON, or this fails
    assert all({"timestamp", "level", "logger", "message", "correlation_id"} <= set(line) for line in lines)
    tasks = {line["task"] for line in lines if line.get("task")}
    assert {"signals.process_signal", "execution.execute_signal"} <= tasks
    finished = [line for line in lines if line["logger"] == "petrosa.core.metrics.celery_hooks"]
    assert finished and {line["correlation_id"] for line in finished} == {"trace-7f3a"}
    request_line = next(line for line in lines if line["logger"] == "petrosa.request")
    assert request_line["correlation_id"] == "trace-7f3a"
    assert request_line["status_code"] == 202 and request_line["path"] == "/api/v1/signals"


def test_a_forged_correlation_id_is_replaced(log_lines: io.StringIO, strategy_client: APIClient) -> None:
    response = strategy_client.get("/api/v1/signals", HTTP_X_CORRELATION_ID='x"\n{"level": "CRITICAL"}')
    generated = response["X-Correlation-ID"]
    assert len(generated) == 32 and generated.isalnum()
    assert [line["correlation_id"] for line in records(log_lines)] == [generated]


def test_a_published_task_carries_the_correlation_id_in_its_headers() -> None:
    token = correlation_id_bind("trace-9")
    try:
        headers: dict[str, Any] = {}
        _on_before_publish(headers=headers)
    finally:
        correlation_id_reset(token)
    assert headers == {TASK_HEADER: "trace-9"}


@override_settings(BINANCE_API_KEY="binanceKEY123456", BINANCE_API_SECRET="binanceSECRET654321")
def test_keys_tokens_passwords_and_signatures_are_redacted(
    log_lines: io.StringIO, strategy: StrategyWithKey, client: Any
) -> None:
    key = strategy.key
    secret_part = key.split("_", 2)[2]
    # A request with the key in both headers, and one with a wrong key (logged as a 401).
    APIClient().get("/api/v1/signals", HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_API_KEY=key)
    APIClient().get("/api/v1/signals", HTTP_AUTHORIZATION=f"Bearer {key}x")
    log = logging.getLogger("petrosa.test")
    log.warning("calling exchange with api_key=%s secret=%s", "binanceKEY123456", "binanceSECRET654321")
    log.info("headers %s", {"Authorization": f"Bearer {key}", "X-API-Key": key, "X-MBX-APIKEY": "abcdef123456"})
    log.info("signed /fapi/v1/order?symbol=BTCUSDT&signature=9f86d081884c7d65&timestamp=1", extra={"token": key})
    log.info("db at postgres://petrosa:hunter2pass@db:5432/petrosa; strategy key %s", key)
    try:
        raise ValueError(f"refused key {key} password=hunter2pass")
    except ValueError:
        log.exception("intake failed")

    output = log_lines.getvalue()
    for secret in (key, secret_part, "binanceKEY123456", "binanceSECRET654321", "abcdef123456", "9f86d081884c7d65",
                   "hunter2pass"):  # fmt: skip
        assert secret not in output, secret
    assert output.count("[REDACTED]") >= 8
    lines = records(log_lines)
    signed = "signed /fapi/v1/order?symbol=BTCUSDT&signature=[REDACTED]"
    assert any(line["message"].startswith(signed) for line in lines)
    assert any(line.get("token") == "[REDACTED]" for line in lines)
    assert any("ValueError: refused key ptk_" in line.get("exception", "") for line in lines)
