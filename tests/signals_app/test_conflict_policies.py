"""Every conflict policy, with signals from different strategies on one symbol.

Strength (seed 000) = confidence × strategy weight × strength multiplier × mode
multiplier; the numbers in each test are worked out in its comments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from configs_app.services import config_set_global
from execution_app.models import Order
from signals_app.models import Signal, SignalStatus
from signals_app.services.aggregation import signal_aggregate
from signals_app.services.intake import signal_intake
from tests.factories import StrategyWithKey, make_strategy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("prices")]


@pytest.fixture
def trend(db: Any) -> StrategyWithKey:
    return make_strategy("trend_v1")


@pytest.fixture
def reversion(db: Any) -> StrategyWithKey:
    return make_strategy("reversion_v1")


def policy(**parameters: Any) -> None:
    config_set_global(parameters=parameters, changed_by="user:test", reason="test scenario")


def send(strategy: StrategyWithKey, action: str, confidence: str, **fields: Any) -> Signal:
    data = {"symbol": "BTCUSDT", "action": action, "confidence": Decimal(confidence), "quantity": Decimal("0.01"),
            **fields}  # fmt: skip
    signal = signal_intake(strategy=strategy.strategy, data=data).signal
    signal.refresh_from_db()
    return signal


def outcome(signal: Signal) -> tuple[str, str]:
    signal.refresh_from_db()
    return signal.status, signal.status_reason


@pytest.mark.usefixtures("eager_pipeline")
class TestStrongestWins:
    def test_a_stronger_opposing_signal_executes(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        first = send(trend, "buy", "0.7")  # strength 0.7
        second = send(reversion, "sell", "0.9")  # strength 0.9 > 0.7
        assert outcome(first) == (SignalStatus.ORDERED, "risk_approved")
        assert outcome(second) == (SignalStatus.ORDERED, "risk_approved")
        assert second.strength_score == Decimal("0.9")
        assert Order.objects.filter(signal=second, side="SELL").exists()

    def test_a_weaker_opposing_signal_is_rejected(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        send(trend, "buy", "0.8", strength="strong")  # 0.8 × 1.5 = 1.2
        weaker = send(reversion, "sell", "0.9")  # 0.9 < 1.2
        assert outcome(weaker) == (SignalStatus.REJECTED, "weaker_than_active_signal")
        assert not Order.objects.filter(signal=weaker).exists()

    def test_a_tie_goes_to_the_signal_already_active(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        send(trend, "buy", "0.8")
        tie = send(reversion, "sell", "0.8")
        assert outcome(tie) == (SignalStatus.REJECTED, "weaker_than_active_signal")

    def test_strategy_weights_from_the_config_count(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(strategy_weights={"reversion_v1": "2"})
        send(trend, "buy", "0.8")  # 0.8
        weighted = send(reversion, "sell", "0.65")  # 0.65 × 2 = 1.3 > 0.8
        assert outcome(weighted)[0] == SignalStatus.ORDERED
        assert weighted.strength_score == Decimal("1.3")

    def test_mode_multipliers_count(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        send(trend, "buy", "0.8")  # deterministic: 0.8
        llm = send(reversion, "sell", "0.7", strategy_mode="llm_reasoning", llm_reasoning="momentum fading")
        assert llm.strength_score == Decimal("1.05")  # 0.7 × 1.5
        assert outcome(llm)[0] == SignalStatus.ORDERED


class TestArrivalOrder:
    def test_one_aggregation_call_decides_every_waiting_signal_in_arrival_order(
        self, trend: StrategyWithKey, reversion: StrategyWithKey
    ) -> None:
        # No worker runs here: both signals wait as RECEIVED, and deciding the
        # later one decides the earlier one first.
        first = send(trend, "buy", "0.6")
        later = send(reversion, "sell", "0.9")
        signal_aggregate(signal_id=later.pk)
        assert outcome(first) == (SignalStatus.ACCEPTED, "no_conflict")
        assert outcome(later) == (SignalStatus.ACCEPTED, "stronger_than_active_signals")

    def test_a_stronger_signal_supersedes_one_waiting_for_review(
        self, trend: StrategyWithKey, reversion: StrategyWithKey
    ) -> None:
        policy(signal_conflict_resolution="manual_review")
        send(trend, "buy", "0.7")
        parked = send(reversion, "sell", "0.7")
        signal_aggregate(signal_id=parked.pk)
        assert outcome(parked)[0] == SignalStatus.PENDING_REVIEW
        policy(signal_conflict_resolution="strongest_wins")
        winner = send(make_strategy("breakout_v1"), "buy", "0.9")
        signal_aggregate(signal_id=winner.pk)
        assert outcome(parked) == (SignalStatus.REJECTED, "superseded")
        assert outcome(winner)[0] == SignalStatus.ACCEPTED


@pytest.mark.usefixtures("eager_pipeline")
class TestOtherPolicies:
    def test_first_come_first_served(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(signal_conflict_resolution="first_come_first_served")
        first = send(trend, "buy", "0.6")
        later = send(reversion, "sell", "0.99", strength="extreme")
        assert outcome(first)[0] == SignalStatus.ORDERED
        assert outcome(later) == (SignalStatus.REJECTED, "conflict_first_come_first_served")

    def test_manual_review_parks_the_later_signal(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(signal_conflict_resolution="manual_review")
        send(trend, "buy", "0.7")
        later = send(reversion, "sell", "0.9")
        assert outcome(later) == (SignalStatus.PENDING_REVIEW, "conflict_needs_review")
        assert not Order.objects.filter(signal=later).exists()

    def test_weighted_average_to_hold(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(signal_conflict_resolution="weighted_average")
        send(trend, "buy", "0.8")
        later = send(reversion, "sell", "0.7")  # (0.8 - 0.7) / 1.5 = 0.0667: inside ±0.3
        assert outcome(later) == (SignalStatus.HELD, "weighted_average_hold")
        assert (later.action, later.aggregated_action) == ("sell", "hold")

    def test_weighted_average_to_sell(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(signal_conflict_resolution="weighted_average")
        send(trend, "buy", "0.6")
        later = send(reversion, "sell", "0.9", strength="strong")  # (0.6 - 1.35) / 1.95 = -0.385
        assert outcome(later)[0] == SignalStatus.ORDERED
        assert Order.objects.get(signal=later, role="entry").side == "SELL"

    def test_weighted_average_can_turn_a_sell_into_a_buy(
        self, trend: StrategyWithKey, reversion: StrategyWithKey
    ) -> None:
        policy(signal_conflict_resolution="weighted_average")
        send(trend, "buy", "0.9", strength="extreme")  # 1.8
        later = send(reversion, "sell", "0.7")  # (1.8 - 0.7) / 2.5 = 0.44 > 0.3: buy
        later.refresh_from_db()
        assert (later.action, later.aggregated_action) == ("sell", "buy")
        assert Order.objects.get(signal=later, role="entry").side == "BUY"

    def test_accumulate_caps_same_direction_signals(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(signal_conflict_resolution="accumulate", max_accumulations=2)
        third = make_strategy("breakout_v1")
        assert outcome(send(trend, "buy", "0.7"))[0] == SignalStatus.ORDERED
        assert outcome(send(reversion, "buy", "0.7"))[0] == SignalStatus.ORDERED
        assert outcome(send(third, "buy", "0.7")) == (SignalStatus.REJECTED, "accumulation_cap")

    def test_same_direction_signals_all_execute_under_strongest_wins(
        self, trend: StrategyWithKey, reversion: StrategyWithKey
    ) -> None:
        send(trend, "buy", "0.7")
        assert outcome(send(reversion, "buy", "0.7"))[0] == SignalStatus.ORDERED

    def test_hedge_mode_buy_and_sell_are_not_a_conflict(
        self, trend: StrategyWithKey, reversion: StrategyWithKey
    ) -> None:
        policy(signal_conflict_resolution="first_come_first_served", position_mode="hedge", max_positions_per_symbol=2)
        send(trend, "buy", "0.7")
        assert outcome(send(reversion, "sell", "0.7")) == (SignalStatus.ORDERED, "risk_approved")

    def test_a_close_never_conflicts(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(signal_conflict_resolution="first_come_first_served")
        send(trend, "buy", "0.7")
        close = send(reversion, "close", "0.1")
        assert outcome(close)[0] == SignalStatus.ORDERED


@pytest.mark.usefixtures("eager_pipeline")
class TestTimeframes:
    def test_higher_timeframe_wins(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        send(trend, "buy", "0.6", timeframe="4h")
        fast = send(reversion, "sell", "0.95", timeframe="15m")
        assert outcome(fast) == (SignalStatus.REJECTED, "weaker_than_active_signal")

    def test_lower_timeframe_wins(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(timeframe_conflict_resolution="lower_timeframe_wins")
        send(trend, "buy", "0.95", timeframe="4h")
        fast = send(reversion, "sell", "0.6", timeframe="15m")
        assert outcome(fast)[0] == SignalStatus.ORDERED

    def test_timeframe_weights(self, trend: StrategyWithKey, reversion: StrategyWithKey) -> None:
        policy(timeframe_conflict_resolution="weighted_average", timeframe_weights={"15m": "0.5", "4h": "1"})
        send(trend, "buy", "0.6", timeframe="4h")  # 0.6
        fast = send(reversion, "sell", "0.95", timeframe="15m")  # 0.95 × 0.5 = 0.475
        assert fast.strength_score == Decimal("0.475")
        assert outcome(fast) == (SignalStatus.REJECTED, "weaker_than_active_signal")
