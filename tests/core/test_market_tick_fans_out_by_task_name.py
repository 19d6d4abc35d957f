"""A market tick stores its prices, then hands the event to the stages that
react to prices by task name, only once the prices are committed: the paper
exchange one (symbol, price) at a time, the strategy engine the whole tick.
A stage that is not built into this deployment is skipped quietly."""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import transaction

from petrosa.celery import app
from petrosa.core import market
from petrosa.core.market import MarketTick, market_tick_publish, price_latest


def queued_tasks(queue: str) -> list[tuple[str, Any]]:
    """(task name, args) of the messages waiting in a Celery queue on Redis."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    out = []
    for raw in client.lrange(queue, 0, -1):
        message = json.loads(raw)
        body = json.loads(base64.b64decode(message["body"]))
        out.append((message["headers"]["task"], body[0]))
    return out


def test_the_payload_round_trips_exactly() -> None:
    tick = MarketTick(at=datetime(2026, 1, 5, 12, 0, 0, 250000, tzinfo=timezone.utc), source="random_walk",
                      prices={"ETHUSDT": Decimal("3200.1"), "BTCUSDT": Decimal("65000.12345678")})  # fmt: skip
    payload = tick.as_payload()
    assert payload == {"at": "2026-01-05T12:00:00.250000+00:00", "source": "random_walk",
                       "prices": {"BTCUSDT": "65000.12345678", "ETHUSDT": "3200.1"}}  # fmt: skip
    assert MarketTick.from_payload(json.loads(json.dumps(payload))) == tick


def test_prices_first_then_the_event_after_commit(transactional_db: Any) -> None:
    with transaction.atomic():
        tick = market_tick_publish(prices={"BTCUSDT": Decimal("65000.5")}, source="test")
        assert price_latest("BTCUSDT") == Decimal("65000.5")
        assert queued_tasks("signals") == []  # nothing leaves before the prices are committed
    assert ("signals.strategies_on_tick", [tick.as_payload()]) in queued_tasks("signals")
    assert ("execution.paper_on_price", ["BTCUSDT", "65000.5"]) in queued_tasks("execution")


def test_a_stage_missing_from_this_deployment_is_skipped_quietly(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(market, "PAPER_ON_PRICE_TASK", "execution.no_such_stage")
    with caplog.at_level(logging.DEBUG, logger="petrosa.core"):
        tick = market_tick_publish(prices={"ETHUSDT": Decimal("3000")}, source="test")
    assert [name for name, _ in queued_tasks("signals")] == ["signals.strategies_on_tick"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("no task execution.no_such_stage registered" in r.getMessage() for r in caplog.records)
    assert tick.prices == {"ETHUSDT": Decimal("3000")}


def test_workers_know_the_tick_task_and_route_it_to_the_signals_queue() -> None:
    app.loader.import_default_modules()
    assert "petrosa.market_tick" in app.tasks and "signals.strategies_on_tick" in app.tasks
    assert app.amqp.router.route({}, "petrosa.market_tick")["queue"].name == "signals"
