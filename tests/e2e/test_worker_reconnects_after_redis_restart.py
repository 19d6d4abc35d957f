"""A Celery worker lives through a Redis restart and fills a signal sent afterwards.

Real processes on the PostgreSQL test database and a private redis-server: the
web server (uvicorn) and one Celery worker, with no supervisor to start it again.
When Redis goes away while the worker holds an unacknowledged message (a
process_signal task still running), the worker must drop the dead connection and
keep retrying, not exit: with Celery 5.7 and kombu 5.7 on the Redis transport it
used to die with `AttributeError: 'NoneType' object has no attribute 'hostname'`
(see petrosa/celery.py BrokerConnection). When Redis returns on the same port,
the same worker process (same pid, started once) must fill a new signal.

To have a message in flight at the moment Redis stops, the test holds the
aggregation lock of BTCUSDT: the worker's process_signal for a BTCUSDT signal
waits on it, unacknowledged (acks_late).
"""

from __future__ import annotations

import signal as signals
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.db import connection, transaction

from execution_app.models import Fill, Order, OrderStatus
from petrosa.core.locks import lock_for_transaction
from signals_app.models import Signal, SignalStatus
from tests.e2e.processes import Process, free_port, start_redis, start_web, start_worker, wait_for
from tests.factories import StrategyWithKey

OUTAGE_SECONDS = 10.0
# Celery retries the broker after 2, 4, 6 s...: the first attempt after a 10 s outage is at about 12 s.
RECONNECT_TIMEOUT = 30.0
FILL_TIMEOUT = 30.0


@pytest.fixture
def private_stack(subprocess_env: dict[str, str]) -> Iterator[dict[str, Any]]:
    port = free_port()
    env = {**subprocess_env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    processes: dict[str, Process] = {}
    try:
        processes["redis"] = start_redis(port)
        processes["web"], base_url = start_web(env)
        processes["worker"] = start_worker(env)
        yield {"port": port, "base_url": base_url, "processes": processes}
    finally:
        for name in ("worker", "web", "redis"):  # worker first: nothing mid-task against a vanishing broker
            if name in processes:
                processes[name].kill(signals.SIGTERM)


def _explain(processes: dict[str, Process], message: str) -> str:
    tails = []
    for name in ("worker", "web"):
        process = processes[name]
        state = "running" if process.proc.poll() is None else f"exited {process.proc.returncode}"
        tails.append(f"--- {name} ({state}) log tail: {process.log} ---\n{process.output()[-6000:]}")
    return "\n".join([message, *tails])


def _post_signal(base_url: str, strategy: StrategyWithKey, symbol: str) -> int:
    response = requests.post(
        f"{base_url}/api/v1/signals",
        json={"symbol": symbol, "action": "buy", "confidence": 0.8},
        headers={"Authorization": f"Bearer {strategy.key}"},
        timeout=10,
    )
    assert response.status_code == 202, f"POST {symbol}: {response.status_code} {response.text}"
    return int(response.json()["id"])


def _backends_waiting_on_advisory_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return int(cursor.fetchone()[0])


def test_worker_reconnects_after_redis_restart_and_fills_a_new_signal(
    private_stack: dict[str, Any], strategy: StrategyWithKey, prices: dict[str, Decimal]
) -> None:
    processes: dict[str, Process] = private_stack["processes"]
    try:
        _run(private_stack, processes, strategy)
    except Exception as exc:
        raise AssertionError(_explain(processes, f"{exc.__class__.__name__}: {exc}")) from exc


def _run(stack: dict[str, Any], processes: dict[str, Process], strategy: StrategyWithKey) -> None:
    worker = processes["worker"]
    pid = worker.proc.pid

    # --- a process_signal task is running (unacknowledged) when Redis stops ----------------
    with transaction.atomic():
        lock_for_transaction("aggregate:BTCUSDT")
        in_flight = _post_signal(stack["base_url"], strategy, "BTCUSDT")
        wait_for(lambda: _backends_waiting_on_advisory_lock() >= 1, timeout=20, what="the worker to wait on the lock")
        assert "signals.process_signal" in worker.output(), "the worker should be running the BTCUSDT task"
        processes["redis"].kill(signals.SIGTERM)
        wait_for(lambda: "Connection to broker lost" in worker.output() or worker.proc.poll() is not None,
                 timeout=10, what="the worker to notice Redis is gone")  # fmt: skip
    # Lock released: the cancelled task's database session has gone or goes now.
    assert Signal.objects.get(pk=in_flight).status == SignalStatus.RECEIVED

    deadline = time.monotonic() + OUTAGE_SECONDS
    while time.monotonic() < deadline:
        assert worker.proc.poll() is None, f"worker exited with {worker.proc.returncode} while Redis was down"
        time.sleep(0.5)

    # --- Redis returns on the same port, empty --------------------------------------------
    processes["redis"] = start_redis(stack["port"])
    wait_for(lambda: worker.output().count("Connected to redis://") >= 2 or worker.proc.poll() is not None,
             timeout=RECONNECT_TIMEOUT, what="the worker to reconnect")  # fmt: skip
    assert worker.proc.poll() is None, f"worker exited with {worker.proc.returncode} instead of reconnecting"

    after = _post_signal(stack["base_url"], strategy, "ETHUSDT")
    wait_for(lambda: Order.objects.filter(signal_id=after, role="entry", status=OrderStatus.FILLED).exists(),
             timeout=FILL_TIMEOUT, interval=0.25, what=f"signal {after} to be filled")  # fmt: skip

    order = Order.objects.get(signal_id=after, role="entry")
    assert order.symbol == "ETHUSDT" and order.side == "BUY"
    assert Fill.objects.filter(order=order).count() == 1
    assert Signal.objects.get(pk=after).status == SignalStatus.ORDERED
    # The same process did it: never exited, started once, and it logged the task.
    assert worker.proc.poll() is None and worker.proc.pid == pid
    log = worker.output()
    assert log.count(" ready.") == 1, "the worker should have started exactly once"
    assert "Unrecoverable error" not in log
