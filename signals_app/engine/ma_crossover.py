"""Moving-average crossover (seed 003): buy when the short MA crosses above the
long MA, sell when it crosses below.

Confidence follows seed 003's scoring: 0.5, plus the gap between the MAs
relative to the long MA times ``gap_weight`` (at most +0.3), plus how far the
price is beyond the long MA in the signal's direction times ``price_weight``
(at most +0.2). A crossover below ``min_confidence``, or within
``cooldown_seconds`` of the last signal, is recorded in the state but sends
nothing. Defaults are seed 003's: 20/50 periods, min confidence 0.6, five
minutes between signals.
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
from signals_app.engine.indicators import sma

GAP_CAP = Decimal("0.3")
PRICE_CAP = Decimal("0.2")
BASE_CONFIDENCE = Decimal("0.5")
SHOWN = Decimal("1e-10")


def shown(value: Decimal) -> str:
    return format(value.quantize(SHOWN).normalize(), "f")


class MovingAverageCrossover(StrategyKind):
    kind = "ma_crossover"
    label = "Moving-average crossover"
    parameters = (
        ParameterSpec("short_period", int, 20, 2, 500, "Bars in the short moving average."),
        ParameterSpec("long_period", int, 50, 3, 1000, "Bars in the long moving average (more than short_period)."),
        ParameterSpec(
            "min_confidence", Decimal, Decimal("0.6"), Decimal("0"), Decimal("1"),
            "A crossover scoring less sends no signal.",
        ),
        ParameterSpec(
            "gap_weight", Decimal, Decimal("10"), Decimal("0"), Decimal("100000"),
            "Confidence added per unit of |short MA - long MA| / long MA, at most +0.3.",
        ),
        ParameterSpec(
            "price_weight", Decimal, Decimal("5"), Decimal("0"), Decimal("100000"),
            "Confidence added per unit of the price's distance beyond the long MA, at most +0.2.",
        ),
        ParameterSpec("cooldown_seconds", int, 300, 0, 86400, "No new signal on a symbol sooner than this."),
    )  # fmt: skip

    def check_parameters(self, params: Mapping[str, int | Decimal]) -> None:
        if params["short_period"] >= params["long_period"]:
            raise ValueError("short_period must be less than long_period")

    def process(self, *, event: MarketEvent, state: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
        short, long_ = int(params["short_period"]), int(params["long_period"])
        window = [Decimal(p) for p in state.get("window", [])] + [event.price]
        window = window[-(long_ + 1) :]
        kept: dict[str, Any] = {**state, "window": [str(p) for p in window]}
        if len(window) < long_ + 1:
            return Outcome(signals=(), state=kept, indicators={"warming_up": f"{len(window)}/{long_ + 1} bars"})

        short_ma, long_ma = sma(window, short), sma(window, long_)
        before_short, before_long = sma(window[:-1], short), sma(window[:-1], long_)
        indicators = {"short_ma": shown(short_ma), "long_ma": shown(long_ma), "price": str(event.price)}
        if before_short <= before_long and short_ma > long_ma:
            action = "buy"
        elif before_short >= before_long and short_ma < long_ma:
            action = "sell"
        else:
            return Outcome(signals=(), state=kept, indicators=indicators)

        confidence = self.confidence(action=action, price=event.price, short_ma=short_ma, long_ma=long_ma,
                                     params=params)  # fmt: skip
        cross = {"action": action, "at": event.at.isoformat(), "price": str(event.price), "confidence": str(confidence)}
        since = elapsed_seconds(state.get("last_signal_at"), event.at)
        signals: tuple[SignalIntent, ...] = ()
        if since is not None and since < int(params["cooldown_seconds"]):
            cross["outcome"] = "cooldown"
        elif confidence < Decimal(params["min_confidence"]):
            cross["outcome"] = "below_min_confidence"
        else:
            cross["outcome"] = "signalled"
            kept["last_signal_at"] = event.at.isoformat()
            direction = "above" if action == "buy" else "below"
            signals = (
                SignalIntent(
                    action=action,
                    confidence=confidence,
                    rationale=f"{short}-bar MA crossed {direction} the {long_}-bar MA at {event.price}",
                    indicators=indicators,
                ),
            )
        kept["last_cross"] = cross
        return Outcome(signals=signals, state=kept, indicators=indicators)

    @staticmethod
    def confidence(
        *, action: str, price: Decimal, short_ma: Decimal, long_ma: Decimal, params: Mapping[str, Any]
    ) -> Decimal:
        gap = abs(short_ma - long_ma) / long_ma
        gap_factor = min(gap * Decimal(params["gap_weight"]), GAP_CAP)
        beyond = (price - long_ma) if action == "buy" else (long_ma - price)
        price_factor = min(beyond / long_ma * Decimal(params["price_weight"]), PRICE_CAP) if beyond > 0 else Decimal(0)
        return quantize_confidence(BASE_CONFIDENCE + gap_factor + price_factor)
