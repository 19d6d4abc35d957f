"""Conflicting signals on one symbol, decided by several real worker processes
at once, end exactly as when the same signals are processed one by one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

import pytest

from petrosa.celery import app as celery_app
from signals_app.models import Signal, SignalStatus
from signals_app.services.intake import signal_intake
from tests.e2e.processes import Process, start_worker, wait_for
from tests.factories import StrategyWithKey, make_strategy

# (strategy, action, confidence, strength, timeframe): buys and sells that
# supersede, lose to and tie with each other.
SCRIPT = [
    ("alpha", "buy", "0.70", "medium", "1h"),
    ("beta", "sell", "0.80", "medium", "1h"),
    ("gamma", "sell", "0.65", "weak", "1h"),
    ("alpha", "buy", "0.90", "strong", "1h"),
    ("beta", "sell", "0.95", "strong", "4h"),
    ("gamma", "buy", "0.99", "extreme", "15m"),
    ("alpha", "hold", "0.50", "medium", "1h"),
    ("beta", "buy", "0.61", "medium", "1h"),
    ("gamma", "sell", "0.75", "strong", "4h"),
    ("alpha", "close", "0.40", "medium", "1h"),
    ("beta", "sell", "0.70", "extreme", "1d"),
    ("gamma", "buy", "0.85", "strong", "1d"),
]
FINAL = {SignalStatus.ORDERED, SignalStatus.REJECTED, SignalStatus.HELD, SignalStatus.PENDING_REVIEW}


@pytest.fixture
def strategies(db: Any) -> dict[str, StrategyWithKey]:
    return {
        "alpha": make_strategy("alpha"),
        "beta": make_strategy("beta", weight=Decimal("1.2")),
        "gamma": make_strategy("gamma", weight=Decimal("0.8")),
    }


@pytest.fixture
def workers(subprocess_env: dict[str, str]) -> Iterator[list[Process]]:
    started = [start_worker(subprocess_env, name=f"worker{i}") for i in range(3)]
    yield started
    for worker in started:
        worker.kill()


def send_script(symbol: str, quantity: str, strategies: dict[str, StrategyWithKey]) -> list[int]:
    ids = []
    for name, action, confidence, strength, timeframe in SCRIPT:
        data = {"symbol": symbol, "action": action, "confidence": Decimal(confidence), "strength": strength,
                "timeframe": timeframe, "quantity": Decimal(quantity)}  # fmt: skip
        ids.append(signal_intake(strategy=strategies[name].strategy, data=data).signal.pk)
    return ids


def outcomes(ids: list[int]) -> list[tuple[str, str, str]]:
    rows = {s.pk: s for s in Signal.objects.filter(pk__in=ids)}
    return [(rows[i].status, rows[i].status_reason, rows[i].effective_action) for i in ids]


def test_workers_reach_the_serial_outcome(
    workers: list[Process], strategies: dict[str, StrategyWithKey], prices: dict[str, Decimal]
) -> None:
    concurrent_ids = send_script("BTCUSDT", "0.01", strategies)

    def all_decided() -> bool:
        return set(Signal.objects.filter(pk__in=concurrent_ids).values_list("status", flat=True)) <= FINAL

    try:
        wait_for(all_decided, timeout=60, what="the workers to decide every signal")
    except TimeoutError as exc:
        logs = "\n".join(w.output()[-2000:] for w in workers)
        raise AssertionError(f"{exc}\n{outcomes(concurrent_ids)}\n{logs}") from exc

    # The same script, one signal at a time, fully processed before the next.
    celery_app.conf.task_always_eager = True
    try:
        serial_ids = send_script("ETHUSDT", "0.1", strategies)
    finally:
        celery_app.conf.task_always_eager = False

    concurrent, serial = outcomes(concurrent_ids), outcomes(serial_ids)
    assert concurrent == serial, "\n".join(f"{c} | {s}" for c, s in zip(concurrent, serial))
    # And the script really exercises conflicts: signals win, lose and hold.
    reasons = {reason for _, reason, _ in serial}
    assert {"weaker_than_active_signal", "risk_approved", "hold_signal"} <= reasons
