"""The whole slice with real processes: HTTP intake in the live server, a real
Celery worker process on Redis, PostgreSQL underneath, a paper fill at the end."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

import pytest
import requests

from execution_app.models import Fill, Order, OrderStatus
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from signals_app.models import Signal, SignalStatus
from tests.e2e.processes import Process, start_worker, wait_for
from tests.factories import StrategyWithKey


@pytest.fixture
def worker(subprocess_env: dict[str, str]) -> Iterator[Process]:
    process = start_worker(subprocess_env)
    yield process
    process.kill()


def _order_filled(signal_id: int) -> bool:
    """The entry filled and its two protective legs (default stop_loss_pct / take_profit_pct) rest on the exchange."""
    entry_filled = Order.objects.filter(signal_id=signal_id, role="entry", status=OrderStatus.FILLED).exists()
    legs_open = Order.objects.filter(signal_id=signal_id, role__in=("stop_loss", "take_profit"),
                                     status=OrderStatus.OPEN).count()  # fmt: skip
    return entry_filled and legs_open == 2


def test_posted_signal_is_filled_by_a_worker_process(
    live_server: Any, worker: Process, strategy: StrategyWithKey, prices: dict[str, Decimal]
) -> None:
    response = requests.post(
        f"{live_server.url}/api/v1/signals",
        json={"symbol": "ETHUSDT", "action": "buy", "confidence": 0.9, "quantity": "0.05"},
        headers={"Authorization": f"Bearer {strategy.key}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    signal_id = response.json()["id"]
    assert response.json()["status"] == SignalStatus.RECEIVED

    try:
        wait_for(lambda: _order_filled(signal_id), timeout=30, what="the worker to fill the order")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\nworker log:\n{worker.output()[-3000:]}") from exc

    signal = Signal.objects.get(pk=signal_id)
    assert signal.status == SignalStatus.ORDERED
    order = Order.objects.get(signal=signal, role="entry")
    assert order.quantity == Decimal("0.05")
    fill = Fill.objects.get(order=order)
    assert fill.price == prices["ETHUSDT"]
    assert fill.commission == Decimal("0.05") * Decimal("3000") * Decimal("0.001")  # taker fee, in USDT
    position = Position.objects.get(symbol="ETHUSDT", side="LONG")
    assert position.quantity == Decimal("0.05")
    assert position.avg_entry_price == Decimal("3000")
    assert position.realized_pnl == -fill.commission

    kinds = list(AuditEvent.objects.filter(correlation_id=signal.correlation_id).order_by("id").values_list("kind", flat=True))
    assert kinds[:8] == [
        "signal.received",
        "signal.accepted",
        "risk.approved",
        "signal.ordered",
        "order.submitting",
        "position.updated",
        "fill.recorded",
        "order.filled",
    ]
    # then the protective legs: armed, each claimed and resting on the exchange
    assert sorted(kinds[8:]) == sorted(["protective.armed", "order.submitting", "order.open", "order.submitting",
                                        "order.open"])  # fmt: skip

    trace = requests.get(
        f"{live_server.url}/api/v1/signals/{signal_id}", headers={"X-API-Key": strategy.key}, timeout=10
    ).json()
    assert trace["status"] == "ordered"
    assert trace["decision"]["approved"] is True
    assert [o["role"] for o in trace["orders"]] == ["entry", "stop_loss", "take_profit"]
    assert trace["orders"][0]["status"] == "filled"
    assert trace["orders"][0]["fills"][0]["price"] == "3000"
    assert trace["orders"][0]["fills"][0]["commission"] == "0.15"
