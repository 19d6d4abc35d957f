"""One market tick: ask the configured feed for prices, then publish them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from petrosa.core.feeds.binance_prices import BinancePriceFeed
from petrosa.core.feeds.bundled import START_PRICES
from petrosa.core.feeds.kline_replay import KlineReplayFeed
from petrosa.core.feeds.random_walk import RandomWalkFeed
from petrosa.core.locks import lock_for_transaction
from petrosa.core.market import MarketTick, market_tick_publish, prices_current

logger = logging.getLogger(__name__)

TICK_LOCK = "market:tick"
FEEDS = ("off", "random_walk", "kline_replay", "binance")


class PriceFeed(Protocol):
    name: str
    remote: bool  # True: network I/O, so never called inside a transaction

    @property
    def symbols(self) -> list[str]: ...

    def next_prices(self, *, current: Mapping[str, Decimal], step: int) -> dict[str, Decimal]: ...


def feed_from_settings() -> PriceFeed | None:
    """The feed PETROSA_MARKET_FEED names, or None when it is off."""
    name = settings.MARKET_FEED
    if name == "random_walk":
        return RandomWalkFeed(seed=settings.MARKET_SEED, tick_seconds=settings.MARKET_TICK_SECONDS)
    if name == "kline_replay":
        return KlineReplayFeed(files=settings.MARKET_KLINE_CSV)
    if name == "binance":
        return BinancePriceFeed(
            market=settings.EXCHANGE_MARKET,
            symbols=settings.MARKET_SYMBOLS or sorted(START_PRICES),
            base_url=settings.MARKET_FEED_URL,
            testnet=settings.TRADING_MODE == "testnet",
        )
    return None


def market_tick_run(*, feed: PriceFeed | None = None, at: datetime | None = None) -> MarketTick | None:
    """Advance the market one tick. Local feeds step under a lock, so ticks run
    one at a time even when beat fires faster than a worker finishes one."""
    feed = feed if feed is not None else feed_from_settings()
    if feed is None:
        return None
    if feed.remote:
        prices = feed.next_prices(current={}, step=0)
        return market_tick_publish(prices=prices, source=feed.name, at=at) if prices else None
    with transaction.atomic():
        lock_for_transaction(TICK_LOCK)
        step = _next_step(feed.name)
        prices = feed.next_prices(current=prices_current(feed.symbols), step=step)
        return market_tick_publish(prices=prices, source=feed.name, at=at)


def _next_step(feed_name: str) -> int:
    """The feed's step counter, shared by every process through the cache."""
    key = f"market:feed:{feed_name}:step"
    cache.add(key, 0, timeout=None)
    return int(cache.incr(key))
