"""RSI mean reversion: a contrarian strategy, to set against the trend-following
crossover. Buy when the RSI falls into the oversold zone, sell when it rises
into the overbought zone (on the bar it crosses the threshold).

Confidence is ``base_confidence`` at the threshold, rising linearly to 1.0 at
the extreme (RSI 0 for a buy, 100 for a sell). While the crossover follows a
rise with a buy, this strategy answers an overbought rise with a sell: the two
disagree often, which is what the conflict policies are for.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from signals_app.engine.base import (
    MarketEvent,
    Outcome,
    ParameterSpec,
    SignalIntent,
    StrategyKind,
    elapsed_seconds,
    quantize_confidence,
)
from signals_app.engine.indicators import rsi
from signals_app.engine.ma_crossover import shown

HUNDRED = Decimal("100")


class RsiMeanReversion(StrategyKind):
    kind = "rsi_reversion"
    label = "RSI mean reversion"
    parameters = (
        ParameterSpec("period", int, 14, 2, 500, "Price changes the RSI looks back over."),
        ParameterSpec("oversold", Decimal, Decimal("30"), Decimal("1"), Decimal("49"),
                      "Buy when the RSI falls below this."),
        ParameterSpec("overbought", Decimal, Decimal("70"), Decimal("51"), Decimal("99"),
                      "Sell when the RSI rises above this."),
        ParameterSpec("base_confidence", Decimal, Decimal("0.6"), Decimal("0"), Decimal("1"),
                      "Confidence at the threshold; it rises linearly to 1 at the extreme."),
        ParameterSpec("cooldown_seconds", int, 300, 0, 86400, "No new signal on a symbol sooner than this."),
    )  # fmt: skip

    def process(self, *, event: MarketEvent, state: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
        period = int(params["period"])
        oversold, overbought = Decimal(params["oversold"]), Decimal(params["overbought"])
        window = [Decimal(p) for p in state.get("window", [])] + [event.price]
        window = window[-(period + 1) :]
        kept: dict[str, Any] = {**state, "window": [str(p) for p in window]}
        if len(window) < period + 1:
            kept["rsi"] = None
            return Outcome(signals=(), state=kept, indicators={"warming_up": f"{len(window)}/{period + 1} bars"})

        value = rsi(window, period)
        before = Decimal(state["rsi"]) if state.get("rsi") is not None else None
        kept["rsi"] = str(value)
        indicators = {"rsi": shown(value), "price": str(event.price)}
        base = Decimal(params["base_confidence"])
        if before is not None and before >= oversold > value:
            action, depth = "buy", (oversold - value) / oversold
            rationale = f"RSI({period}) fell to {shown(value)}, below {oversold}"
        elif before is not None and before <= overbought < value:
            action, depth = "sell", (value - overbought) / (HUNDRED - overbought)
            rationale = f"RSI({period}) rose to {shown(value)}, above {overbought}"
        else:
            return Outcome(signals=(), state=kept, indicators=indicators)

        confidence = quantize_confidence(base + (1 - base) * depth)
        extreme = {"action": action, "at": event.at.isoformat(), "rsi": shown(value), "confidence": str(confidence)}
        since = elapsed_seconds(state.get("last_signal_at"), event.at)
        signals: tuple[SignalIntent, ...] = ()
        if since is not None and since < int(params["cooldown_seconds"]):
            extreme["outcome"] = "cooldown"
        else:
            extreme["outcome"] = "signalled"
            kept["last_signal_at"] = event.at.isoformat()
            signals = (SignalIntent(action=action, confidence=confidence, rationale=rationale, indicators=indicators),)
        kept["last_extreme"] = extreme
        return Outcome(signals=signals, state=kept, indicators=indicators)
