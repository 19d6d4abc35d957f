"""What the pipeline measurements share: the worker topology, the limits an
operator would set for a high-rate paper run, and the signals sent."""

from __future__ import annotations

import time
from typing import Any

import requests

from bench.readings import unfinished
from bench.stack import Logins, Stack, config_set, wait_until

# The twelve bundled symbols, ~130-160 USDT each at the bundled start prices:
# above every symbol's minimum notional. Execution runs one signal at a time
# per symbol, so the number of symbols bounds the pipeline's parallelism.
ENTRY_SYMBOLS = {
    "BTCUSDT": "0.002", "ETHUSDT": "0.05", "BNBUSDT": "0.25", "SOLUSDT": "1", "XRPUSDT": "300", "DOGEUSDT": "1200",
    "ADAUSDT": "330", "LTCUSDT": "2", "TRXUSDT": "1200", "AVAXUSDT": "5", "LINKUSDT": "10", "DOTUSDT": "22",
}  # fmt: skip
SYMBOLS = list(ENTRY_SYMBOLS)

# Limits for a run of thousands of small paper entries: the defaults stop a
# strategy repeating itself within a minute (duplicate window), at 60 orders a
# minute and at 80 % exposure. max_orders_per_minute is set to its schema maximum,
# 1200/min: Binance USD-M futures' own order limit per account.
HIGH_RATE_LIMITS: dict[str, Any] = {
    "duplicate_signal_window_seconds": 0,
    "max_orders_per_minute": 1200,
    "max_daily_trades": 10000,
    "max_portfolio_exposure_pct": 1000,
    "max_concurrent_positions": 1000,
}


def entry(index: int, *, confidence: float = 0.9) -> dict[str, Any]:
    symbol = SYMBOLS[index % len(SYMBOLS)]
    return {"symbol": symbol, "action": "buy", "confidence": confidence, "quantity": ENTRY_SYMBOLS[symbol]}


def start_workers(stack: Stack, *, signal_workers: int, execution_workers: int, concurrency: int,
                  include: str = "") -> None:  # fmt: skip
    """Separate worker processes per queue, as a deployment scales them."""
    for n in range(signal_workers):
        stack.start_worker(f"signals{n}", queues="signals", concurrency=concurrency, include=include)
    for n in range(execution_workers):
        stack.start_worker(f"execution{n}", queues="execution", concurrency=concurrency, include=include)


def stop_workers(stack: Stack) -> None:
    for name in [n for n in stack.processes if n.startswith(("signals", "execution"))]:
        stack.stop(name)


def post_signal(stack: Stack, logins: Logins, body: dict[str, Any]) -> int:
    response = requests.post(f"{stack.base_url}/api/v1/signals", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {logins.strategy_key}"})  # fmt: skip
    if response.status_code != 202:
        raise RuntimeError(f"intake refused a bench signal: {response.status_code} {response.text[:300]}")
    return int(response.json()["id"])


def warm_up(stack: Stack, logins: Logins, count: int = 5, *, body: dict[str, Any] | None = None) -> None:
    """A few trips first, so imports, connection pools and caches are warm."""
    ids = [post_signal(stack, logins, body or entry(i)) for i in range(count)]
    if not wait_until(lambda: unfinished(ids) == 0, timeout=60):
        raise RuntimeError(f"warm-up signals were not processed:\n{stack.logs()}")


def drain(ids: list[int], *, timeout: float) -> float:
    """Wait until every signal is final and every entry order finished; returns the seconds waited."""
    started = time.monotonic()
    wait_until(lambda: unfinished(ids) == 0, timeout=timeout, interval=0.5)
    return time.monotonic() - started


def prepare(stack: Stack, *, web_workers: int, limits: dict[str, Any] | None = None) -> Logins:
    stack.start_redis()
    stack.start_web(workers=web_workers)
    logins = stack.logins()
    config_set(stack.base_url, logins.token, limits or HIGH_RATE_LIMITS)
    return logins
