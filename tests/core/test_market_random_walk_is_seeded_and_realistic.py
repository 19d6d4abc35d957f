"""The default paper feed: a random walk that is the same path for the same
seed, starts from the bundled prices, and moves each symbol with its own
realistic volatility."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from typing import Any

import pytest

from petrosa.core.feeds.bundled import START_PRICES
from petrosa.core.feeds.random_walk import RandomWalkFeed, tick_sigma
from petrosa.core.feeds.run import market_tick_run
from petrosa.core.models import MarketPrice


def path(feed: RandomWalkFeed, steps: int, symbol: str) -> list[Decimal]:
    current: dict[str, Decimal] = {}
    prices = []
    for step in range(1, steps + 1):
        current = feed.next_prices(current=current, step=step)
        prices.append(current[symbol])
    return prices


def test_the_same_seed_gives_the_same_path_and_another_seed_another() -> None:
    first = path(RandomWalkFeed(seed=7, tick_seconds=1), 200, "BTCUSDT")
    again = path(RandomWalkFeed(seed=7, tick_seconds=1), 200, "BTCUSDT")
    other = path(RandomWalkFeed(seed=8, tick_seconds=1), 200, "BTCUSDT")
    assert first == again and first != other
    assert all(isinstance(p, Decimal) and len(p.as_tuple().digits) <= 8 for p in first)


def test_it_starts_from_the_bundled_prices_and_moves_every_bundled_symbol() -> None:
    step_one = RandomWalkFeed(seed=7, tick_seconds=1).next_prices(current={}, step=1)
    assert set(step_one) == set(START_PRICES) and len(START_PRICES) == 12
    for symbol, price in step_one.items():
        assert price != START_PRICES[symbol]
        assert abs(price / START_PRICES[symbol] - 1) < Decimal("0.002")  # one second moves little


@pytest.mark.parametrize(("symbol", "annual"), [("BTCUSDT", 0.50), ("DOGEUSDT", 0.95)])
def test_each_symbol_moves_with_its_own_volatility(symbol: str, annual: float) -> None:
    prices = path(RandomWalkFeed(seed=11, tick_seconds=60), 3000, symbol)
    returns = [math.log(b / a) for a, b in zip(prices, prices[1:])]
    expected = tick_sigma(annual, 60)  # one-minute ticks: BTC ~0.07 %, DOGE ~0.13 %
    assert abs(statistics.pstdev(returns) / expected - 1) < 0.08
    assert abs(statistics.fmean(returns)) < 4 * expected / math.sqrt(len(returns))  # no drift


def test_a_tick_continues_from_the_stored_price(transactional_db: Any) -> None:
    MarketPrice.objects.create(symbol="BTCUSDT", price=Decimal("70000"), source="seed_demo")
    feed = RandomWalkFeed(seed=7, tick_seconds=1)
    first = market_tick_run(feed=feed)
    second = market_tick_run(feed=feed)
    assert first is not None and second is not None
    # Step 1 from 70000 (stored), step 2 from step 1's price: the same as computing it directly.
    expected_1 = feed.next_prices(current={"BTCUSDT": Decimal("70000")}, step=1)
    expected_2 = feed.next_prices(current=expected_1, step=2)
    assert first.prices["BTCUSDT"] == expected_1["BTCUSDT"]
    assert second.prices == expected_2
    stored = MarketPrice.objects.get(symbol="BTCUSDT")
    assert (stored.price, stored.source) == (expected_2["BTCUSDT"], "random_walk")
    assert MarketPrice.objects.count() == 12
