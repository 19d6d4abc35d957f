"""Entries decided at the same moment by several threads (each with its own
database connection and transaction) cannot together pass a count, exposure
or daily-trade limit: the gate serializes entries on one portfolio lock and
counts every approved entry as soon as it is recorded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection

from configs_app.services import config_resolve, config_set_global
from risk_app.intent import TradeIntent
from risk_app.models import RiskDecision
from risk_app.services.gate import risk_evaluate
from signals_app.models import Signal
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = pytest.mark.django_db(transaction=True)

# Six threads: with the main thread's connection that stays within a process's pool (DB_POOL_MAX_SIZE=8).
SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"]


def decide_all_at_once(signals: list[Signal]) -> list[str]:
    barrier = threading.Barrier(len(signals))

    def decide(signal: Signal) -> str:
        try:
            barrier.wait(timeout=20)  # before touching the database: a thread waits for a pooled connection after it
            config = config_resolve(symbol=signal.symbol, side="LONG")
            intent = TradeIntent(symbol=signal.symbol, side="BUY", position_side="LONG", quantity=D("3"),
                                 price=D("100"), reduce_only=False)  # fmt: skip
            return risk_evaluate(signal=signal, intent=intent, config=config).reason_code
        finally:
            connection.close()

    with ThreadPoolExecutor(len(signals)) as pool:
        return list(pool.map(decide, signals))


@pytest.mark.parametrize(
    ("limit", "allowed", "code"),
    [
        ({"max_concurrent_positions": 3}, 3, "max_concurrent_positions_reached"),
        ({"max_daily_trades": 2}, 2, "max_daily_trades_reached"),
        # 1 % of 100000 equity = 1000: three entries of 300 fit, a fourth would make 1200.
        ({"max_portfolio_exposure_pct": D("1")}, 3, "exposure_limit_exceeded"),
        ({"max_orders_per_minute": 4}, 4, "order_rate_limited"),
    ],
    ids=["positions", "daily_trades", "exposure", "order_rate"],
)
def test_a_simultaneous_burst_stops_exactly_at_the_limit(
    limit: dict[str, Any], allowed: int, code: str, strategy: StrategyWithKey
) -> None:
    config_set_global(parameters=limit, changed_by="test", reason="tight limit for a burst")
    signals = [SignalFactory(strategy=strategy.strategy, symbol=symbol) for symbol in SYMBOLS]

    codes = decide_all_at_once(signals)

    assert codes.count("approved") == allowed, codes
    assert set(codes) == {"approved", code}
    assert RiskDecision.objects.filter(approved=True).count() == allowed
