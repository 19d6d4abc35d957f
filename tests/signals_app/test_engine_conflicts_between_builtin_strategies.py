"""The crossover (trend) and RSI reversion (contrarian) strategies disagree on
the same bar, and the symbol's conflict policy decides, as for any strategies.

Bar 8 of the series: the 2/4 crossover says buy at 0.77094
(0.5 + 600/60900·10 + 2100/60900·5) and RSI(4) = 75 says sell at 0.66667.
The crossover was created first, so its signal arrives first.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from configs_app.services import config_set_global
from petrosa.core.models import AuditEvent
from signals_app.models import Signal, SignalStatus
from tests.signals_app.engine_ticks import Bars, builtin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]

SERIES = ["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000"]


@pytest.fixture
def both() -> None:
    builtin("trend", "ma_crossover", {"short_period": 2, "long_period": 4, "cooldown_seconds": 0})
    builtin("contrarian", "rsi_reversion", {"period": 4, "cooldown_seconds": 0})


def bar_8() -> tuple[Signal, Signal]:
    Bars().publish(SERIES)
    buy = Signal.objects.get(strategy__name="trend")
    sell = Signal.objects.get(strategy__name="contrarian")
    assert (buy.action, buy.confidence, sell.action, sell.confidence) == (
        "buy", Decimal("0.77094"), "sell", Decimal("0.66667"),
    )  # fmt: skip
    assert buy.signal_timestamp == sell.signal_timestamp and buy.pk < sell.pk
    return buy, sell


def policy(name: str) -> None:
    config_set_global(parameters={"signal_conflict_resolution": name}, changed_by="user:test", reason="test")


@pytest.mark.usefixtures("both")
def test_strongest_wins_rejects_the_weaker_contrarian() -> None:
    buy, sell = bar_8()
    assert buy.status == SignalStatus.ORDERED
    assert (sell.status, sell.status_reason) == (SignalStatus.REJECTED, "weaker_than_active_signal")


@pytest.mark.usefixtures("both")
def test_a_heavier_contrarian_wins_under_strongest_wins() -> None:
    from signals_app.services.strategy_admin import strategy_set_weight

    strategy_set_weight(name="contrarian", weight=Decimal("2"), reason="trust it more", actor="user:test")
    buy, sell = bar_8()  # 0.66667 × 2 = 1.33334 > 0.77094
    assert (buy.status, sell.status, sell.strength_score) == (
        SignalStatus.ORDERED, SignalStatus.ORDERED, Decimal("1.33334"),
    )  # fmt: skip
    accepted = AuditEvent.objects.get(entity_type="signal", entity_id=str(sell.pk), kind="signal.accepted")
    assert accepted.data["reason"] == "stronger_than_active_signals"


@pytest.mark.usefixtures("both")
def test_first_come_first_served_rejects_the_later_one() -> None:
    policy("first_come_first_served")
    buy, sell = bar_8()
    assert buy.status == SignalStatus.ORDERED
    assert (sell.status, sell.status_reason) == (SignalStatus.REJECTED, "conflict_first_come_first_served")


@pytest.mark.usefixtures("both")
def test_manual_review_parks_the_later_one_for_an_operator() -> None:
    policy("manual_review")
    _, sell = bar_8()
    assert (sell.status, sell.status_reason) == (SignalStatus.PENDING_REVIEW, "conflict_needs_review")


@pytest.mark.usefixtures("both")
def test_weighted_average_turns_the_disagreement_into_a_hold() -> None:
    policy("weighted_average")
    _, sell = bar_8()  # (0.77094 − 0.66667) / 1.43761 = 0.0725: inside ±0.3
    assert (sell.status, sell.aggregated_action) == (SignalStatus.HELD, "hold")
