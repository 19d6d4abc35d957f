"""A built-in strategy keeps nothing in process memory: its price windows and
last crossover live in the database, so any worker can take the next tick.

The series is processed partly by another OS process and partly here with a
fresh registry per tick; the signals are exactly those of one uninterrupted
in-memory run. A tick delivered twice, or overtaken by a later one, sends
nothing more.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from typing import Any


from petrosa.core.market import MarketTick
from signals_app.engine.base import MarketEvent
from signals_app.engine.registry import shipped_registry
from signals_app.engine.runner import strategies_on_tick
from signals_app.models import Signal
from tests.e2e.processes import REPO
from tests.signals_app.engine_ticks import Bars, builtin

MA = {"short_period": 2, "long_period": 4, "cooldown_seconds": 0}
RSI = {"period": 4, "cooldown_seconds": 0}
SERIES = ["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000", "60000", "57000", "56400", "57000"]

RUN_TICKS = """
import json, sys
import django
django.setup()
from petrosa.core.market import MarketTick
from signals_app.engine.runner import strategies_on_tick
for payload in json.load(sys.stdin):
    strategies_on_tick(tick=MarketTick.from_payload(payload))
"""


def one_process_reference(bars: Bars) -> dict[str, list[tuple[int, str, Decimal]]]:
    """What one strategy instance, fed the whole series in one process, emits."""
    registry = shipped_registry()
    expected: dict[str, list[tuple[int, str, Decimal]]] = {}
    for name, kind, params in (("ma", "ma_crossover", MA), ("rsi", "rsi_reversion", RSI)):
        strategy, state, out = registry.get(kind), {}, []
        clean = strategy.clean_parameters(params)
        for bar, price in enumerate(SERIES, start=1):
            outcome = strategy.process(event=MarketEvent("BTCUSDT", Decimal(price), bars.at(bar)), state=state,
                                       params=clean)  # fmt: skip
            state = outcome.state
            out += [(bar, s.action, s.confidence) for s in outcome.signals]
        expected[name] = out
    return expected


def tick(bars: Bars, bar: int) -> MarketTick:
    return MarketTick(at=bars.at(bar), source="test", prices={"BTCUSDT": Decimal(SERIES[bar - 1])})


def test_ticks_split_across_processes_give_the_signals_of_one(subprocess_env: dict[str, str]) -> None:
    builtin("ma", "ma_crossover", MA)
    builtin("rsi", "rsi_reversion", RSI)
    bars = Bars()

    # Bars 1-7 in another OS process: it leaves only database state behind.
    payloads: list[dict[str, Any]] = [tick(bars, bar).as_payload() for bar in range(1, 8)]
    result = subprocess.run([sys.executable, "-c", RUN_TICKS], input=json.dumps(payloads), cwd=REPO,
                            env=subprocess_env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert not Signal.objects.exists()  # nothing to say yet: warming up and flat

    # Bars 8-12 here, each with a brand-new registry (new strategy instances).
    for bar in range(8, 13):
        strategies_on_tick(tick=tick(bars, bar), registry=shipped_registry())

    expected = one_process_reference(bars)
    assert expected == {"ma": [(8, "buy", Decimal("0.77094")), (10, "sell", Decimal("0.95000"))],
                        "rsi": [(8, "sell", Decimal("0.66667")), (12, "buy", Decimal("0.88889"))]}  # fmt: skip
    assert {"ma": bars.emitted("ma"), "rsi": bars.emitted("rsi")} == expected


def test_a_redelivered_or_overtaken_tick_sends_nothing(transactional_db: Any) -> None:
    builtin("ma", "ma_crossover", MA)
    bars = Bars()
    for bar in range(1, 9):
        strategies_on_tick(tick=tick(bars, bar))
    assert bars.emitted("ma") == [(8, "buy", Decimal("0.77094"))]

    assert strategies_on_tick(tick=tick(bars, 8)) == []  # the same tick again (a redelivered task)
    assert strategies_on_tick(tick=tick(bars, 5)) == []  # an older tick arriving late
    strategies_on_tick(tick=tick(bars, 9))
    strategies_on_tick(tick=tick(bars, 10))
    assert bars.emitted("ma") == [(8, "buy", Decimal("0.77094")), (10, "sell", Decimal("0.95000"))]
