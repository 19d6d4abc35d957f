"""The moving-average crossover on scripted prices: the exact bar and
confidence of every signal, and each signal's trip through aggregation and
the risk gate to a paper fill, as an external strategy's would take."""

from __future__ import annotations

from decimal import Decimal

import pytest

from execution_app.models import Order, OrderStatus
from risk_app.models import RiskDecision
from signals_app.engine.models import BuiltinStrategyState
from signals_app.engine.registry import shipped_registry
from signals_app.models import Signal, SignalStatus, Source
from tests.signals_app.engine_ticks import Bars, builtin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]

FAST = {"short_period": 2, "long_period": 4, "min_confidence": "0.6", "gap_weight": "10", "price_weight": "5",
        "cooldown_seconds": 0}  # fmt: skip
# bar:      1        2        3        4        5        6        7        8
SERIES = ["60000", "60000", "60000", "60000", "60000", "66000", "66000", "48000"]


def test_shipped_defaults_are_seed_003s() -> None:
    defaults = shipped_registry().get("ma_crossover").defaults()
    assert (defaults["short_period"], defaults["long_period"], defaults["min_confidence"]) == (20, 50, Decimal("0.6"))
    assert (defaults["gap_weight"], defaults["price_weight"], defaults["cooldown_seconds"]) == (10, 5, 300)


def test_crossover_bars_and_confidences() -> None:
    builtin("ma_fast", "ma_crossover", FAST)
    bars = Bars()
    bars.publish(SERIES)
    # Bar 6: short MA (60000+66000)/2 = 63000 crosses above long MA (3·60000+66000)/4 = 61500
    # (bar 5: both 60000). gap 1500/61500 × 10 = 0.24390; price beyond the long MA
    # 4500/61500 × 5 = 0.366 → capped 0.2; 0.5 + 0.24390 + 0.2 = 0.94390.
    # Bar 8: short (66000+48000)/2 = 57000 crosses below long (60000+66000+66000+48000)/4 = 60000
    # (bar 7: 66000 > 63000). gap 3000/60000 × 10 = 0.5 → 0.3; beyond 12000/60000 × 5 = 1 → 0.2; 1.0.
    assert bars.emitted("ma_fast") == [(6, "buy", Decimal("0.94390")), (8, "sell", Decimal("1.00000"))]


def test_each_signal_went_through_intake_aggregation_and_the_risk_gate() -> None:
    builtin("ma_fast", "ma_crossover", FAST)
    Bars().publish(SERIES)
    buy, sell = Signal.objects.filter(strategy__name="ma_fast").order_by("id")
    for signal in (buy, sell):
        assert signal.source == Source.BUILTIN
        assert (signal.status, signal.status_reason) == (SignalStatus.ORDERED, "risk_approved")
        decision = RiskDecision.objects.get(signal=signal)
        assert decision.approved and decision.reason_code == "approved"
        assert [v["rule"] for v in decision.verdicts][:2] == ["sizing", "kill_switch"]
        orders = Order.objects.filter(signal=signal).order_by("id")
        assert orders and all(order.decision_id == decision.pk for order in orders)
        assert orders[0].status == OrderStatus.FILLED  # the entry; protective legs may follow it
    # The sell (strength 1.0) met the active buy (0.94390): strongest_wins let it through.
    assert sell.strength_score == Decimal("1") and buy.strength_score == Decimal("0.9439")
    entries = [Order.objects.filter(signal=s).order_by("id").first() for s in (buy, sell)]
    assert [entry.side for entry in entries] == ["BUY", "SELL"]
    assert buy.indicators == {"short_ma": "63000", "long_ma": "61500", "price": "66000"}
    assert buy.current_price == Decimal("66000") and buy.timeframe == "1m"


def test_seed_003_defaults_20_50_signal_on_the_first_bar_with_51_prices() -> None:
    builtin("ma_seed", "ma_crossover", {})
    bars = Bars()
    bars.publish(["60000"] * 50 + ["63000"])
    # Bar 51: short (19·60000+63000)/20 = 60150 over long (49·60000+63000)/50 = 60060.
    # gap 90/60060 × 10 = 0.014985; beyond 2940/60060 × 5 = 0.2448 → 0.2; 0.714985 → 0.71499.
    assert bars.emitted("ma_seed") == [(51, "buy", Decimal("0.71499"))]
    state = BuiltinStrategyState.objects.get(builtin__strategy__name="ma_seed", symbol="BTCUSDT")
    assert len(state.data["window"]) == 51 and state.data["last_cross"]["outcome"] == "signalled"


def test_min_confidence_holds_back_a_weak_crossover() -> None:
    builtin("ma_picky", "ma_crossover", {**FAST, "min_confidence": "0.95"})
    bars = Bars()
    bars.publish(SERIES[:7])
    state = BuiltinStrategyState.objects.get(builtin__strategy__name="ma_picky")
    assert state.data["last_cross"] == {"action": "buy", "at": bars.at(6).isoformat(), "price": "66000",
                                        "confidence": "0.94390", "outcome": "below_min_confidence"}  # fmt: skip
    bars.publish(SERIES[7:], first_bar=8)
    assert bars.emitted("ma_picky") == [(8, "sell", Decimal("1.00000"))]


def test_cooldown_holds_back_a_crossover_too_soon_after_the_last_signal() -> None:
    builtin("ma_patient", "ma_crossover", {**FAST, "cooldown_seconds": 5})
    bars = Bars()
    bars.publish(SERIES)
    assert bars.emitted("ma_patient") == [(6, "buy", Decimal("0.94390"))]  # bar 8 is 2 s after bar 6
    state = BuiltinStrategyState.objects.get(builtin__strategy__name="ma_patient")
    assert state.data["last_cross"]["outcome"] == "cooldown"


def test_confidence_weights_change_the_score() -> None:
    builtin("ma_flat_weights", "ma_crossover", {**FAST, "gap_weight": "1", "price_weight": "0"})
    bars = Bars()
    bars.publish(SERIES)
    # Bar 6: 0.5 + 0.024390 + 0 = 0.52439 < 0.6: held back. Bar 8: 0.5 + 0.05 = 0.55: held back.
    assert bars.emitted("ma_flat_weights") == []
    state = BuiltinStrategyState.objects.get(builtin__strategy__name="ma_flat_weights")
    assert state.data["last_cross"]["confidence"] == "0.55000"
