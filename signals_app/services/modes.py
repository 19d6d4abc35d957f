"""Processing modes: what deterministic, ml_light and llm_reasoning change.

- deterministic: confidence is used as sent; size scales with it.
- ml_light: confidence is the mean of the strategy's confidence and its
  model_confidence; model_features are kept on the signal for the record.
- llm_reasoning: reasoning text is required (intake refuses it otherwise),
  alternatives are kept, and the size is halved on top of the confidence
  scaling, because free-text reasoning is the least verifiable input.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from signals_app.models import Mode, Signal, Strength

STRENGTH_MULTIPLIERS = {
    Strength.WEAK: Decimal("0.5"),
    Strength.MEDIUM: Decimal("1.0"),
    Strength.STRONG: Decimal("1.5"),
    Strength.EXTREME: Decimal("2.0"),
}
MODE_MULTIPLIERS = {Mode.DETERMINISTIC: Decimal("1.0"), Mode.ML_LIGHT: Decimal("1.2"), Mode.LLM_REASONING: Decimal("1.5")}
LLM_SIZE_FACTOR = Decimal("0.5")
CONFIDENCE_PLACES = Decimal("0.00001")

# Timeframes from shortest to longest (the seed's TimeFrame enum).
TIMEFRAMES = ("tick", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")


def effective_confidence(signal: Signal) -> Decimal:
    if signal.strategy_mode == Mode.ML_LIGHT and signal.model_confidence is not None:
        return ((signal.confidence + signal.model_confidence) / 2).quantize(CONFIDENCE_PLACES)
    return signal.confidence


def size_factor(signal: Signal) -> Decimal:
    """What the equity-based position size is multiplied by."""
    confidence = signal.effective_confidence if signal.effective_confidence is not None else signal.confidence
    if signal.strategy_mode == Mode.LLM_REASONING:
        return confidence * LLM_SIZE_FACTOR
    return confidence


def timeframe_rank(timeframe: str) -> int:
    return TIMEFRAMES.index(timeframe) if timeframe in TIMEFRAMES else TIMEFRAMES.index("1h")


def signal_strength(signal: Signal, config: dict[str, Any]) -> Decimal:
    """Seed 000: confidence × strategy weight × strength multiplier × mode multiplier,
    times the timeframe weight when timeframes are weighed."""
    confidence = signal.effective_confidence if signal.effective_confidence is not None else signal.confidence
    weight = config["strategy_weights"].get(signal.strategy.name, signal.strategy.weight)
    strength = confidence * weight * STRENGTH_MULTIPLIERS[signal.strength] * MODE_MULTIPLIERS[signal.strategy_mode]
    if config["timeframe_conflict_resolution"] == "weighted_average":
        strength *= config["timeframe_weights"].get(signal.timeframe, Decimal("1"))
    return strength.quantize(Decimal("0.000001"))
