"""RSI mean reversion on scripted prices: the exact bar and confidence of each
signal, and that each went through the risk gate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from execution_app.models import Order
from risk_app.models import RiskDecision
from signals_app.engine.models import BuiltinStrategyState
from signals_app.engine.registry import shipped_registry
from signals_app.models import Signal, SignalStatus
from tests.signals_app.engine_ticks import Bars, builtin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]

RSI4 = {"period": 4, "cooldown_seconds": 0}
# bar:      1        2        3        4        5        6        7        8        9       10       11       12
SERIES = ["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000", "60000", "57000", "56400", "57000"]


def test_shipped_defaults() -> None:
    defaults = shipped_registry().get("rsi_reversion").defaults()
    assert defaults == {"period": 14, "oversold": Decimal("30"), "overbought": Decimal("70"),
                        "base_confidence": Decimal("0.6"), "cooldown_seconds": 300}  # fmt: skip


def test_overbought_and_oversold_bars_and_confidences() -> None:
    builtin("rsi4", "rsi_reversion", RSI4)
    bars = Bars()
    bars.publish(SERIES)
    # Bar 8: changes -600 +600 -600 +3000 → RSI 100·3600/4800 = 75, up from 50 through 70:
    #   sell, 0.6 + 0.4 · (75-70)/30 = 0.66667.
    # Bar 11: RSI 31.25. Bar 12: changes -3000 -3000 -600 +600 → RSI 100·600/7200 = 8.333, down
    #   through 30: buy, 0.6 + 0.4 · (30-8.333)/30 = 0.88889.
    assert bars.emitted("rsi4") == [(8, "sell", Decimal("0.66667")), (12, "buy", Decimal("0.88889"))]
    for signal in Signal.objects.filter(strategy__name="rsi4"):
        assert signal.status == SignalStatus.ORDERED
        decision = RiskDecision.objects.get(signal=signal)
        assert decision.approved and Order.objects.filter(signal=signal, decision=decision).exists()
    state = BuiltinStrategyState.objects.get(builtin__strategy__name="rsi4")
    assert state.indicators == {"rsi": "8.3333333333", "price": "57000"}
    assert state.data["last_extreme"]["outcome"] == "signalled" and state.last_signal_action == "buy"


def test_thresholds_decide_whether_a_move_is_extreme() -> None:
    builtin("rsi_wide", "rsi_reversion", {**RSI4, "oversold": "5", "overbought": "80"})
    bars = Bars()
    bars.publish(SERIES)
    assert bars.emitted("rsi_wide") == []  # 75 is not above 80; 8.3 is not below 5


def test_base_confidence_sets_the_score_at_the_threshold() -> None:
    builtin("rsi_low_base", "rsi_reversion", {**RSI4, "base_confidence": "0.5"})
    bars = Bars()
    bars.publish(SERIES)
    # 0.5 + 0.5 · 1/6 = 0.58333; 0.5 + 0.5 · 0.72222 = 0.86111.
    assert bars.emitted("rsi_low_base") == [(8, "sell", Decimal("0.58333")), (12, "buy", Decimal("0.86111"))]
    sell = Signal.objects.get(strategy__name="rsi_low_base", action="sell")
    decision = RiskDecision.objects.get(signal=sell)  # below the gate's 0.6: refused there, not here
    assert (decision.approved, decision.reason_code) == (False, "confidence_below_threshold")


def test_cooldown_holds_back_the_second_extreme() -> None:
    builtin("rsi_slow", "rsi_reversion", {**RSI4, "cooldown_seconds": 10})
    bars = Bars()
    bars.publish(SERIES)
    assert bars.emitted("rsi_slow") == [(8, "sell", Decimal("0.66667"))]  # bar 12 is 4 s later
