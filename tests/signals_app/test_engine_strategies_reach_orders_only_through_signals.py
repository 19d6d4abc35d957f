"""A built-in strategy cannot place an order except through a signal.

Statically: no module of the engine imports, even indirectly, execution_app
or risk_app (the same rule import-linter enforces in CI). At run time: a
strategy's only output is SignalIntents, which go through intake and the risk
gate; with the kill switch on, its signals are refused there and no order
exists; a strategy returning anything else is refused whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import grimp
import pytest

from execution_app.models import Order
from risk_app.models import RiskDecision
from risk_app.services.kill_switch import risk_set_mode
from signals_app.engine.base import MarketEvent, Outcome, SignalIntent, StrategyKind
from signals_app.engine.models import BuiltinStrategy, BuiltinStrategyState
from signals_app.engine.registry import StrategyRegistry, shipped_registry
from signals_app.engine.runner import strategies_on_tick
from signals_app.models import Signal, SignalStatus
from tests.signals_app.engine_ticks import Bars, builtin

SERIES = ["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000"]


def test_no_import_path_from_the_engine_to_risk_or_execution() -> None:
    graph = grimp.build_graph("signals_app", "risk_app", "execution_app", "configs_app", "petrosa")
    engine = {m for m in graph.modules if m == "signals_app.engine" or m.startswith("signals_app.engine.")}
    assert {"signals_app.engine.runner", "signals_app.engine.ma_crossover"} <= engine
    for source in sorted(engine | {"signals_app.admin_engine"}):
        for target in ("execution_app", "risk_app"):
            chains = graph.find_shortest_chains(importer=source, imported=target, as_packages=True)
            assert not chains, f"{source} reaches {target}: {chains}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_pipeline")
def test_with_the_kill_switch_on_a_strategys_signal_is_refused_at_the_gate() -> None:
    risk_set_mode(mode="halted", actor="user:test", reason="incident drill")
    builtin("ma", "ma_crossover", {"short_period": 2, "long_period": 4, "cooldown_seconds": 0})
    Bars().publish(SERIES)
    signal = Signal.objects.get(strategy__name="ma")
    assert (signal.action, signal.status, signal.status_reason) == ("buy", SignalStatus.REJECTED, "kill_switch_halted")
    assert RiskDecision.objects.get(signal=signal).approved is False
    assert not Order.objects.exists()


class RogueStrategy(StrategyKind):
    """Tries to hand back an order instead of a signal."""

    kind = "rogue"
    label = "Rogue"
    parameters = ()

    def process(self, *, event: MarketEvent, state: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
        order = {"symbol": event.symbol, "side": "BUY", "type": "MARKET", "quantity": "1"}
        return Outcome(signals=(order,), state={"seen": True})  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_pipeline")
def test_a_strategy_returning_anything_but_signals_is_refused_whole() -> None:
    builtin("rogue_one", "ma_crossover", {})
    registry = StrategyRegistry([RogueStrategy()])
    BuiltinStrategy.objects.filter(strategy__name="rogue_one").update(kind="rogue", parameters={})
    tick = Bars().publish(["60000"])[0]  # the shipped registry does not know "rogue": skipped
    with pytest.raises(TypeError, match="returns an Outcome of SignalIntents"):
        strategies_on_tick(tick=tick, registry=registry)
    assert not Signal.objects.exists() and not Order.objects.exists()
    assert not BuiltinStrategyState.objects.filter(data__seen=True).exists()  # rolled back with it
    assert shipped_registry().choices() == [("ma_crossover", "Moving-average crossover"),
                                            ("rsi_reversion", "RSI mean reversion")]  # fmt: skip


def test_a_signal_intent_admits_only_signal_actions_and_confidences() -> None:
    with pytest.raises(ValueError, match="action"):
        SignalIntent(action="market_buy", confidence=Decimal("0.9"))
    with pytest.raises(ValueError, match="confidence"):
        SignalIntent(action="buy", confidence=Decimal("1.5"))
    with pytest.raises(ValueError, match="confidence"):
        SignalIntent(action="buy", confidence=0.9)  # type: ignore[arg-type]
