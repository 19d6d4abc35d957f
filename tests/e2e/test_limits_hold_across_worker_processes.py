"""Bursts of entry signals on many symbols, decided at once by several real
Celery worker processes, stop exactly at the position-count, daily-trade and
exposure limits: no burst overshoots, because every approved entry is counted
(reserved) under the portfolio lock before the next decision is made."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any, Iterator

import pytest

from configs_app.services import config_set_global
from petrosa.core.market import price_set
from risk_app.models import Position, RiskDecision
from signals_app.models import Signal, SignalStatus
from signals_app.services.intake import signal_intake
from tests.e2e.processes import Process, start_worker, wait_for
from tests.factories import StrategyWithKey, make_strategy

PRICES = {
    "BTCUSDT": "50000", "ETHUSDT": "3000", "DOGEUSDT": "0.1", "BNBUSDT": "600", "SOLUSDT": "150", "XRPUSDT": "0.6",
    "ADAUSDT": "0.5", "LTCUSDT": "80", "TRXUSDT": "0.12", "AVAXUSDT": "30", "LINKUSDT": "15", "DOTUSDT": "7",
}  # fmt: skip
SYMBOLS = list(PRICES)
FINAL = {SignalStatus.ORDERED, SignalStatus.REJECTED}
ENTRY_USDT = D("500")


@pytest.fixture
def workers(subprocess_env: dict[str, str]) -> Iterator[list[Process]]:
    started = [start_worker(subprocess_env, name=f"riskworker{i}") for i in range(3)]
    yield started
    for worker in started:
        worker.kill()


@pytest.fixture
def strategies(db: Any) -> list[StrategyWithKey]:
    # One strategy per signal, so the duplicate-signal rule never decides anything here.
    return [make_strategy(f"burst_{i}") for i in range(len(SYMBOLS) * 2)]


def burst(symbols: list[str], strategies: list[StrategyWithKey], workers: list[Process]) -> list[Signal]:
    ids = [
        signal_intake(strategy=strategy.strategy,
                      data={"symbol": symbol, "action": "buy", "confidence": D("0.9"), "quote_quantity": ENTRY_USDT}
                      ).signal.pk
        for symbol, strategy in zip(symbols, strategies)
    ]  # fmt: skip

    def decided() -> bool:
        return set(Signal.objects.filter(pk__in=ids).values_list("status", flat=True)) <= FINAL

    try:
        wait_for(decided, timeout=90, what="the workers to decide the burst")
        wait_for(lambda: not RiskDecision.objects.filter(approved=True, reduce_only=False,
                                                         orders__role="entry").exclude(
            orders__status="filled").exists(), timeout=30, what="the approved entries to fill")  # fmt: skip
    except TimeoutError as exc:
        logs = "\n".join(w.output()[-3000:] for w in workers)
        raise AssertionError(f"{exc}\n{logs}") from exc
    return list(Signal.objects.filter(pk__in=ids).order_by("id"))


def reasons(signals: list[Signal]) -> list[str]:
    return [s.status_reason for s in signals]


def open_positions() -> list[Position]:
    return list(Position.objects.filter(quantity__gt=0))


def exposure() -> D:
    return sum((p.quantity * D(PRICES[p.symbol]) for p in open_positions()), D("0"))


def test_bursts_stop_exactly_at_each_limit(
    workers: list[Process], strategies: list[StrategyWithKey], transactional_db: Any
) -> None:
    for symbol, price in PRICES.items():
        price_set(symbol=symbol, price=D(price), source="test")
    limits = {"max_concurrent_positions": 4, "max_daily_trades": 100, "max_portfolio_exposure_pct": D("100"),
              "risk_management_enabled": False}  # fmt: skip
    config_set_global(parameters=limits, changed_by="test", reason="position-count burst")

    # 1. Eight entries at once on eight symbols, four positions allowed.
    first = burst(SYMBOLS[:8], strategies[:8], workers)
    assert reasons(first).count("risk_approved") == 4, reasons(first)
    assert set(reasons(first)) == {"risk_approved", "max_concurrent_positions_reached"}
    assert len(open_positions()) == 4

    # 2. Positions unlimited, six entries a day: the four already taken leave two.
    config_set_global(parameters={"max_concurrent_positions": 100, "max_daily_trades": 6}, changed_by="test",
                      reason="daily-trade burst")  # fmt: skip
    second = burst(SYMBOLS[4:12], strategies[8:16], workers)
    assert reasons(second).count("risk_approved") == 2, reasons(second)
    assert set(reasons(second)) == {"risk_approved", "max_daily_trades_reached"}
    assert RiskDecision.objects.filter(approved=True, reduce_only=False).count() == 6

    # 3. Trades unlimited, exposure capped two and a half entries above what is open now.
    open_now = exposure()
    cap_pct = (open_now + ENTRY_USDT * D("2.5")) / D("1000")  # percent of the 100000 equity
    config_set_global(parameters={"max_daily_trades": 100, "max_portfolio_exposure_pct": cap_pct.quantize(D("0.01"))},
                      changed_by="test", reason="exposure burst")  # fmt: skip
    third = burst(SYMBOLS[:8], strategies[16:24], workers)
    assert reasons(third).count("risk_approved") == 2, reasons(third)
    assert set(reasons(third)) == {"risk_approved", "exposure_limit_exceeded"}
    assert exposure() <= cap_pct.quantize(D("0.01")) * D("1000")
    assert exposure() > open_now + ENTRY_USDT  # the two entries really filled
