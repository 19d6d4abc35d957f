"""A new signal costs two statements: the key lookup, and one INSERT that writes
the signal together with its ``signal.received`` audit row.

Every round trip is time the web worker waits and the database works; the
intake once made five (key lookup, BEGIN, INSERT, INSERT, COMMIT). The budget
keeps it from creeping back. The other tests show what the shortcut must not
lose: a 202 means both rows are committed and only then is the task queued;
a retry returns the first signal; a failure writes nothing (and leaves a
caller's transaction usable); a rotated or deactivated key is refused on the
very next request, because nothing about keys is cached.

Run without a test transaction (transactional_db), as in production: each
request's statements commit on their own.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import psycopg
import pytest
import redis
from celery import signals
from django.conf import settings
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Signal
from signals_app.services.intake import signal_intake
from signals_app.services.strategies import strategy_rotate_key
from signals_app.services.strategy_admin import strategy_deactivate
from tests.conftest import database_url_for_subprocess
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def queued_signal_ids() -> list[int]:
    """The signal ids of the process_signal tasks waiting on the signals queue."""
    out = []
    for raw in redis.Redis.from_url(settings.REDIS_URL).lrange("signals", 0, -1):
        message = json.loads(raw)
        assert message["headers"]["task"] == "signals.process_signal"
        out.append(json.loads(base64.b64decode(message["body"]))[0][0])
    return out


def committed_rows(signal_id: int) -> tuple[int, list[str]]:
    """What another connection sees: signals with this id, and the kinds of their audit rows."""
    with psycopg.connect(database_url_for_subprocess(), autocommit=True) as other:
        signals_seen = other.execute("SELECT count(*) FROM signals_app_signal WHERE id = %s", [signal_id]).fetchone()
        kinds = other.execute(
            "SELECT kind FROM core_auditevent WHERE entity_type = 'signal' AND entity_id = %s", [str(signal_id)]
        ).fetchall()
    return signals_seen[0], [kind for (kind,) in kinds]


def test_a_new_signal_is_two_statements(strategy: StrategyWithKey) -> None:
    client = client_for(strategy.key)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/signals", BODY, format="json", HTTP_IDEMPOTENCY_KEY="budget-1")
    assert response.status_code == 202, response.content
    assert len(queries) <= 2, [query["sql"][:60] for query in queries]


def test_the_task_is_queued_only_once_both_rows_are_committed(strategy: StrategyWithKey) -> None:
    seen_at_publish: list[tuple[int, list[str]]] = []

    def look(headers: dict[str, Any] | None = None, body: Any = None, **_: Any) -> None:
        seen_at_publish.append(committed_rows(body[0][0]))

    signals.before_task_publish.connect(look, weak=False)
    try:
        response = client_for(strategy.key).post("/api/v1/signals", BODY, format="json")
    finally:
        signals.before_task_publish.disconnect(look)
    assert response.status_code == 202, response.content
    signal_id = response.json()["id"]
    assert seen_at_publish == [(1, ["signal.received"])]
    assert queued_signal_ids() == [signal_id]
    event = AuditEvent.objects.get(entity_type="signal", entity_id=str(signal_id))
    assert event.actor == f"strategy:{strategy.name}"
    assert event.correlation_id == Signal.objects.get(pk=signal_id).correlation_id
    assert event.data == {"source": "api", "symbol": "BTCUSDT", "action": "buy",
                          "payload": {**BODY, "confidence": "0.80000", "strength": "medium",
                                      "strategy_mode": "deterministic", "timeframe": "1h", "meta": {}}}  # fmt: skip


def test_a_retry_is_answered_from_the_first_signal_in_three_statements(strategy: StrategyWithKey) -> None:
    client = client_for(strategy.key)
    first = client.post("/api/v1/signals", BODY, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    with CaptureQueriesContext(connection) as queries:
        again = client.post("/api/v1/signals", BODY, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(queries) <= 3, [query["sql"][:60] for query in queries]
    assert committed_rows(first.json()["id"]) == (1, ["signal.received"])
    assert queued_signal_ids() == [first.json()["id"]]  # the retry queued nothing


def test_a_reused_key_with_another_payload_writes_nothing(strategy: StrategyWithKey) -> None:
    client = client_for(strategy.key)
    client.post("/api/v1/signals", BODY, format="json", HTTP_IDEMPOTENCY_KEY="reused")
    audit_rows = AuditEvent.objects.count()
    response = client.post("/api/v1/signals", {**BODY, "confidence": 0.9}, format="json", HTTP_IDEMPOTENCY_KEY="reused")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Signal.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows
    assert len(queued_signal_ids()) == 1


def test_a_failed_audit_row_leaves_no_signal(strategy: StrategyWithKey) -> None:
    # actor is varchar(128): the audit half of the statement fails, so the signal half must not stay.
    with pytest.raises(DataError):
        signal_intake(strategy=strategy.strategy, data=dict(BODY), actor="x" * 200)
    assert Signal.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="signal.received").exists()
    assert queued_signal_ids() == []


def test_a_failed_insert_inside_a_callers_transaction_leaves_it_usable(strategy: StrategyWithKey) -> None:
    with transaction.atomic():
        with pytest.raises(DataError):
            signal_intake(strategy=strategy.strategy, data={**BODY, "symbol": "X" * 40})
        # Without a savepoint around the insert, PostgreSQL would refuse every further statement here.
        result = signal_intake(strategy=strategy.strategy, data=dict(BODY), idempotency_key="after-failure")
        retried = signal_intake(strategy=strategy.strategy, data=dict(BODY), idempotency_key="after-failure")
    assert result.created and not retried.created
    assert retried.signal.pk == result.signal.pk
    assert list(Signal.objects.values_list("idempotency_key", flat=True)) == ["after-failure"]
    assert queued_signal_ids() == [result.signal.pk]  # queued at the caller's commit


def test_a_rotated_key_is_refused_on_the_next_request(strategy: StrategyWithKey) -> None:
    old = client_for(strategy.key)
    assert old.post("/api/v1/signals", BODY, format="json").status_code == 202
    new_key = strategy_rotate_key(strategy=strategy.strategy, actor="test")
    assert old.post("/api/v1/signals", BODY, format="json").status_code == 401
    assert client_for(new_key).post("/api/v1/signals", BODY, format="json").status_code == 202


def test_a_deactivated_strategy_is_refused_on_the_next_request(strategy: StrategyWithKey) -> None:
    client = client_for(strategy.key)
    assert client.post("/api/v1/signals", BODY, format="json").status_code == 202
    strategy_deactivate(name=strategy.name, reason="test", actor="test")
    refused = client.post("/api/v1/signals", BODY, format="json")
    assert refused.status_code == 401
    assert "inactive" in refused.json()["error"]["message"]
    assert Signal.objects.count() == 1
