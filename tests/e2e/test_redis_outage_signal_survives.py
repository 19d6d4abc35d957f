"""A signal sent while Redis is down is accepted, kept, and filled once Redis returns.

Real processes on the PostgreSQL test database and a private redis-server:
the web server (uvicorn), a Celery worker and Celery beat (running the
sweeper every second). With Redis stopped, POST /api/v1/signals must still
answer 202 quickly, the signal must be committed in status `received`, and
/health must report Redis as down (status `degraded`). When Redis comes back
on the same port, the worker and beat must reconnect by themselves, the
sweeper must re-enqueue the stranded signal, and the pipeline must fill it
exactly once: one Order, one Fill, and a Position holding the filled quantity.

The shared Redis on 6379 is never touched: only the private server is stopped.
"""

from __future__ import annotations

import signal as signals
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import requests

from execution_app.models import Fill, Order, OrderStatus
from risk_app.models import Position, PositionSide
from signals_app.models import Signal, SignalStatus
from tests.e2e.processes import Process, free_port, start_beat, start_redis, start_web, start_worker, wait_for
from tests.factories import StrategyWithKey

FILL_TIMEOUT = 90.0
# A publish to a dead broker fails at once (transport max_retries=0); the intake must not stall.
POST_DEADLINE = 1.0


@dataclass
class Stack:
    """The running processes; `redis` is replaced when Redis is restarted."""

    env: dict[str, str]
    redis_port: int
    base_url: str = ""
    processes: dict[str, Process] = field(default_factory=dict)

    def logs(self) -> str:
        parts = []
        for name, process in self.processes.items():
            code = process.proc.poll()
            state = "running" if code is None else f"exited {code}"
            parts.append(f"--- {name} ({state}) log tail: {process.log} ---\n{process.output()[-5000:]}")
        return "\n".join(parts)

    def explain(self, message: str) -> str:
        return f"{message}\n{self.logs()}"


@pytest.fixture
def stack(subprocess_env: dict[str, str]) -> Iterator[Stack]:
    port = free_port()
    env = dict(subprocess_env)
    env.update(
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        PETROSA_SWEEP_INTERVAL_SECONDS="1",
        PETROSA_SWEEP_STALE_AFTER_SECONDS="1",
    )
    running = Stack(env=env, redis_port=port)
    try:
        running.processes["redis"] = start_redis(port)
        web, running.base_url = start_web(env)
        running.processes["web"] = web
        running.processes["worker"] = start_worker(env)
        running.processes["beat"] = start_beat(env)
        yield running
    finally:
        # Workers first, so nothing is mid-task against a vanishing broker; redis last.
        for name in ("beat", "worker", "web", "redis"):
            process = running.processes.get(name)
            if process is not None:
                process.kill(signals.SIGTERM)


def health(base_url: str) -> dict[str, Any]:
    response = requests.get(f"{base_url}/health", timeout=10)
    assert response.status_code == 200, f"/health: {response.status_code} {response.text}"
    body: dict[str, Any] = response.json()
    return body


def test_signal_sent_during_redis_outage_is_filled_after_redis_returns(
    stack: Stack, strategy: StrategyWithKey, prices: dict[str, Decimal]
) -> None:
    try:
        _run_outage_scenario(stack, strategy, prices)
    except Exception as exc:
        raise AssertionError(stack.explain(f"{exc.__class__.__name__}: {exc}")) from exc


def _run_outage_scenario(stack: Stack, strategy: StrategyWithKey, prices: dict[str, Decimal]) -> None:
    auth = {"Authorization": f"Bearer {strategy.key}"}
    before = health(stack.base_url)
    assert before["components"]["redis"]["ok"] is True, f"private Redis should be up at the start: {before}"

    # --- Redis goes away -----------------------------------------------------
    stack.processes["redis"].kill(signals.SIGKILL)
    wait_for(lambda: health(stack.base_url)["components"]["redis"]["ok"] is False, timeout=10, what="redis down")

    started = time.monotonic()
    response = requests.post(
        f"{stack.base_url}/api/v1/signals",
        json={"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8},
        headers=auth,
        timeout=30,
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 202, f"POST with Redis down: {response.status_code} {response.text}"
    assert elapsed < POST_DEADLINE, f"POST with Redis down took {elapsed:.2f}s (limit {POST_DEADLINE}s)"
    body = response.json()
    signal_id = body["id"]
    assert body["status"] == SignalStatus.RECEIVED, body
    assert body["symbol"] == "BTCUSDT" and body["action"] == "buy", body

    row = Signal.objects.get(pk=signal_id)
    assert row.status == SignalStatus.RECEIVED, f"committed row should wait in 'received', is {row.status!r}"
    assert row.strategy_id == strategy.strategy.pk

    down = health(stack.base_url)
    assert down["components"]["redis"]["ok"] is False, f"/health should report Redis down: {down}"
    assert down["status"] == "degraded", f"/health status with only Redis down: {down}"
    assert any(w.startswith("redis:") for w in down["warnings"]), down

    # Let the worker and beat live through the outage for a few sweep intervals.
    time.sleep(3)
    for name in ("web", "worker", "beat"):
        code = stack.processes[name].proc.poll()
        assert code is None, f"{name} exited with {code} during the Redis outage"
    assert Signal.objects.get(pk=signal_id).status == SignalStatus.RECEIVED, "signal moved on without a broker"
    assert not Order.objects.filter(signal_id=signal_id).exists(), "an order appeared without a broker"

    # --- Redis returns on the same port -------------------------------------
    stack.processes["redis"] = start_redis(stack.redis_port)
    recovered_at = time.monotonic()

    def filled() -> bool:
        return Order.objects.filter(signal_id=signal_id, status=OrderStatus.FILLED).exists()

    try:
        wait_for(filled, timeout=FILL_TIMEOUT, interval=0.5, what=f"signal {signal_id} to be filled")
    except TimeoutError:
        current = Signal.objects.get(pk=signal_id)
        orders = list(Order.objects.filter(signal_id=signal_id).values("id", "status", "status_reason"))
        raise AssertionError(
            f"signal {signal_id} not filled within {FILL_TIMEOUT}s of Redis returning: "
            f"status={current.status!r} reason={current.status_reason!r} orders={orders}"
        ) from None
    recovery = time.monotonic() - recovered_at

    # Let any duplicate deliveries from the 1 s sweeper land before counting.
    time.sleep(3)
    orders = list(Order.objects.filter(signal_id=signal_id, role="entry"))  # legs (stop-loss, take-profit) aside
    assert len(orders) == 1, f"expected exactly one entry for signal {signal_id}, got {orders}"
    order = orders[0]
    assert order.status == OrderStatus.FILLED and order.symbol == "BTCUSDT" and order.side == "BUY", order
    fills = list(Fill.objects.filter(order__signal_id=signal_id))
    assert len(fills) == 1, f"expected exactly one fill for signal {signal_id}, got {fills}"
    fill = fills[0]
    assert fill.quantity > 0 and fill.quantity == order.executed_quantity == order.quantity, (fill, order)
    assert fill.price == prices["BTCUSDT"], f"paper fill at {fill.price}, market price {prices['BTCUSDT']}"

    final = Signal.objects.get(pk=signal_id)
    assert final.status == SignalStatus.ORDERED, f"signal status after the fill: {final.status!r}"
    position = Position.objects.filter(symbol="BTCUSDT", side=PositionSide.LONG).first()
    assert position is not None, f"no BTCUSDT LONG position; positions: {list(Position.objects.all())}"
    assert position.quantity == fill.quantity, f"position {position.quantity} != filled {fill.quantity}"

    trace = requests.get(f"{stack.base_url}/api/v1/signals/{signal_id}", headers=auth, timeout=10).json()
    assert trace["status"] == "ordered" and trace["decision"]["approved"] is True, trace
    entries = [o for o in trace["orders"] if o["role"] == "entry"]
    assert [o["status"] for o in entries] == ["filled"] and len(entries[0]["fills"]) == 1, trace

    up = health(stack.base_url)
    assert up["components"]["redis"]["ok"] is True and up["status"] == "healthy", f"/health after recovery: {up}"
    print(f"signal {signal_id} filled {recovery:.1f}s after Redis returned")
