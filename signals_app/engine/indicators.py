"""Indicators in exact Decimal arithmetic, so a test can compute them by hand."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def sma(prices: Sequence[Decimal], period: int) -> Decimal:
    """Simple moving average of the last `period` prices."""
    if len(prices) < period:
        raise ValueError(f"need {period} prices, have {len(prices)}")
    return sum(prices[-period:], Decimal("0")) / period


def rsi(prices: Sequence[Decimal], period: int) -> Decimal:
    """Relative strength index over the last `period` changes (Cutler's form:
    plain sums of gains and losses). 100·gains/(gains+losses); 50 when flat."""
    if len(prices) < period + 1:
        raise ValueError(f"need {period + 1} prices, have {len(prices)}")
    window = prices[-(period + 1) :]
    gains = losses = Decimal("0")
    for before, after in zip(window, window[1:]):
        change = after - before
        if change > 0:
            gains += change
        else:
            losses -= change
    if gains + losses == 0:
        return Decimal("50")
    return Decimal("100") * gains / (gains + losses)
