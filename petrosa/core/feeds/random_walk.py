"""The default paper price feed: a seeded geometric random walk.

Each step multiplies the current price by exp(σ·z − σ²/2), where z is drawn
from a generator seeded with (seed, step, symbol) and σ is the symbol's
annual volatility scaled to one tick. Nothing lives in process memory: the
next price depends only on the current price (read from the database), the
step number and the seed, so the same seed from the same start prices gives
the same path in any process.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from decimal import Decimal

from petrosa.core.feeds.bundled import ANNUAL_VOLATILITY, DEFAULT_ANNUAL_VOLATILITY, START_PRICES

SECONDS_PER_YEAR = 365 * 24 * 3600
SIGNIFICANT_DIGITS = 8


def tick_sigma(annual_volatility: float, tick_seconds: float) -> float:
    """The standard deviation of one tick's log return."""
    return annual_volatility * math.sqrt(tick_seconds / SECONDS_PER_YEAR)


def significant(value: float) -> Decimal:
    """A float price as a Decimal with 8 significant digits: exact from here on."""
    number = Decimal(repr(value))
    return number.quantize(Decimal(1).scaleb(number.adjusted() - SIGNIFICANT_DIGITS + 1))


class RandomWalkFeed:
    name = "random_walk"
    remote = False

    def __init__(
        self,
        *,
        seed: int,
        tick_seconds: float,
        start_prices: Mapping[str, Decimal] | None = None,
        volatility: Mapping[str, float] | None = None,
    ) -> None:
        self.seed = seed
        self.tick_seconds = tick_seconds
        self.start_prices = dict(start_prices or START_PRICES)
        self.volatility = dict(volatility or ANNUAL_VOLATILITY)

    @property
    def symbols(self) -> list[str]:
        return sorted(self.start_prices)

    def sigma(self, symbol: str) -> float:
        return tick_sigma(self.volatility.get(symbol, DEFAULT_ANNUAL_VOLATILITY), self.tick_seconds)

    def next_prices(self, *, current: Mapping[str, Decimal], step: int) -> dict[str, Decimal]:
        prices: dict[str, Decimal] = {}
        for symbol in self.symbols:
            base = current.get(symbol) or self.start_prices[symbol]
            sigma = self.sigma(symbol)
            z = random.Random(f"{self.seed}:{step}:{symbol}").gauss(0.0, 1.0)
            prices[symbol] = significant(float(base) * math.exp(sigma * z - sigma * sigma / 2))
        return prices
