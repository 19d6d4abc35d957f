"""Every parameter the gate enforces changes its verdict: the same signal is
approved with one value and rejected, with the rule's stable code, with another.

The config is written through the config service and read back through
config_resolve, exactly as the pipeline reads it; the gate runs on the real
database at a fixed moment (a Wednesday, 12:00 UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from typing import Any, Callable

import pytest

from configs_app.services import config_resolve, config_set_global
from risk_app.intent import TradeIntent
from risk_app.models import Position, RiskDecision, RiskState
from risk_app.services.gate import risk_evaluate
from risk_app.services.portfolio import portfolio_day_open
from signals_app.models import Signal
from tests.factories import SignalFactory, StrategyWithKey, make_strategy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)  # a Wednesday
BUY = TradeIntent(symbol="BTCUSDT", side="BUY", position_side="LONG", quantity=D("0.01"), price=D("50000"),
                  reduce_only=False)  # fmt: skip
SELL = TradeIntent(symbol="BTCUSDT", side="SELL", position_side="SHORT", quantity=D("0.01"), price=D("50000"),
                   reduce_only=False)  # fmt: skip


def open_position(symbol: str, quantity: str, price: str, side: str = "LONG") -> None:
    Position.objects.create(symbol=symbol, side=side, quantity=D(quantity), avg_entry_price=D(price),
                            mark_price=D(price), opened_at=NOW - timedelta(hours=1))  # fmt: skip


def earlier_decision(
    strategy: StrategyWithKey, *, symbol: str, side: str = "BUY", ago: timedelta, reduce_only: bool = False
) -> RiskDecision:
    signal = SignalFactory(strategy=strategy.strategy, symbol=symbol, signal_timestamp=NOW - ago)
    return RiskDecision.objects.create(
        signal=signal, approved=True, reason_code="approved", symbol=symbol, side=side,
        position_side="LONG" if side == "BUY" else "SHORT", quantity=D("0.001"), price=D("1"), notional=D("0.001"),
        reduce_only=reduce_only, created_at=NOW - ago,
    )  # fmt: skip


def daily_loss(strategy: StrategyWithKey) -> None:
    portfolio_day_open(now=NOW)  # the day opens at 100000, then 3000 is lost
    Position.objects.create(symbol="ETHUSDT", side="LONG", realized_pnl=D("-3000"))


def two_open_positions(strategy: StrategyWithKey) -> None:
    open_position("ETHUSDT", "1", "3000")
    open_position("DOGEUSDT", "1000", "0.1")


def three_entries_today(strategy: StrategyWithKey) -> None:
    for index, symbol in enumerate(["ETHUSDT", "DOGEUSDT", "XRPUSDT"]):
        earlier_decision(make_strategy(f"other_{index}"), symbol=symbol, ago=timedelta(minutes=5 + index))


def three_orders_last_minute(strategy: StrategyWithKey) -> None:
    for index, symbol in enumerate(["ETHUSDT", "DOGEUSDT", "XRPUSDT"]):
        earlier_decision(strategy, symbol=symbol, side="SELL", ago=timedelta(seconds=10 + index), reduce_only=True)


@dataclass(frozen=True)
class Case:
    parameter: str
    approved_with: Any
    rejected_with: Any
    code: str
    intent: TradeIntent = BUY
    signal: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[StrategyWithKey], None] | None = None
    base: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("enabled", True, False, "trading_disabled"),
    Case("enable_longs", True, False, "longs_disabled"),
    Case("enable_shorts", True, False, "shorts_disabled", intent=SELL, signal={"action": "sell"}),
    Case("allowed_symbols", ["BTCUSDT", "ETHUSDT"], ["ETHUSDT"], "symbol_not_allowed"),
    Case("min_confidence_threshold", D("0.7"), D("0.9"), "confidence_below_threshold"),
    Case("max_signal_age_seconds", 300, 60, "signal_too_old", signal={"age": timedelta(seconds=100)}),
    Case("duplicate_signal_window_seconds", 10, 60, "duplicate_signal",
         setup=lambda s: earlier_decision(s, symbol="BTCUSDT", ago=timedelta(seconds=30))),
    Case("trading_windows", ["mon-fri 08:00-17:00"], ["sat,sun 08:00-17:00", "mon-fri 13:00-17:00"],
         "outside_trading_window"),
    Case("position_size_pct", D("1"), D("0.4"), "position_size_above_pct_of_equity",
         intent=TradeIntent("BTCUSDT", "BUY", "LONG", D("0.1"), D("50000"), False)),  # 5000 vs 10000 / 4000
    Case("max_position_size_usd", D("1000"), D("400"), "position_size_above_max"),
    Case("min_position_size_usd", D("100"), D("1000"), "position_size_below_min"),
    Case("max_leverage", 20, 5, "leverage_above_max"),  # leverage is 10 by default
    Case("leverage", 5, 10, "leverage_above_max", base={"max_leverage": 5}),
    Case("max_portfolio_exposure_pct", D("31"), D("30"), "exposure_limit_exceeded",
         setup=lambda s: open_position("ETHUSDT", "10", "3000")),  # 30000 open + 500 vs 31000 / 30000
    Case("max_concurrent_positions", 3, 2, "max_concurrent_positions_reached", setup=two_open_positions),
    Case("max_positions_per_symbol", 2, 1, "max_positions_per_symbol_reached", intent=SELL,
         signal={"action": "sell"}, base={"position_mode": "hedge"},
         setup=lambda s: open_position("BTCUSDT", "0.01", "50000")),
    Case("max_daily_trades", 4, 3, "max_daily_trades_reached", setup=three_entries_today),
    Case("max_daily_loss_pct", D("5"), D("2"), "daily_loss_breaker", setup=daily_loss),
    Case("max_orders_per_minute", 4, 3, "order_rate_limited", setup=three_orders_last_minute),
]  # fmt: skip


def decide(strategy: StrategyWithKey, case: Case, value: Any) -> RiskDecision:
    if case.setup:
        case.setup(strategy)
    config_set_global(parameters={**case.base, case.parameter: value}, changed_by="test", reason="test")
    age = case.signal.get("age", timedelta(seconds=1))
    signal: Signal = SignalFactory(
        strategy=strategy.strategy, symbol="BTCUSDT", action=case.signal.get("action", "buy"),
        confidence=D("0.8"), signal_timestamp=NOW - age,
    )  # fmt: skip
    config = config_resolve(symbol="BTCUSDT", side=case.intent.position_side)
    assert config[case.parameter] == value
    return risk_evaluate(signal=signal, intent=case.intent, config=config, now=NOW)


def verdict(decision: RiskDecision, code: str) -> dict[str, Any] | None:
    return next((v for v in decision.verdicts if v["code"] == code), None)


@pytest.mark.parametrize("case", CASES, ids=[c.parameter for c in CASES])
def test_the_permissive_value_approves(case: Case, strategy: StrategyWithKey) -> None:
    decision = decide(strategy, case, case.approved_with)
    assert decision.approved, [v for v in decision.verdicts if not v["passed"]]
    assert decision.reason_code == "approved"


@pytest.mark.parametrize("case", CASES, ids=[c.parameter for c in CASES])
def test_the_strict_value_rejects_with_the_rules_code(case: Case, strategy: StrategyWithKey) -> None:
    decision = decide(strategy, case, case.rejected_with)
    assert not decision.approved
    assert decision.reason_code == case.code, decision.verdicts
    refused = verdict(decision, case.code)
    assert refused is not None and refused["passed"] is False
    # Only that rule refused: the value changed, nothing else did.
    assert [v["code"] for v in decision.verdicts if not v["passed"]] == [case.code]


def test_the_strict_daily_loss_also_trips_the_breaker(strategy: StrategyWithKey) -> None:
    case = next(c for c in CASES if c.parameter == "max_daily_loss_pct")
    decide(strategy, case, case.rejected_with)
    state = RiskState.objects.get(pk=1)
    assert state.breaker_tripped and state.effective_mode == "reduce_only"
    assert D(state.breaker_detail["daily_pnl"]) == D("-3000")
