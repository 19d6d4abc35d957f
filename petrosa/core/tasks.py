"""Celery interface for petrosa.core: the market tick that beat fires."""

from __future__ import annotations

import logging

from celery import shared_task

from petrosa.core.feeds.run import market_tick_run
from petrosa.core.feeds.binance_prices import PriceFeedUnavailable

logger = logging.getLogger(__name__)

MARKET_TICK_TASK = "petrosa.market_tick"


@shared_task(name=MARKET_TICK_TASK, ignore_result=True, time_limit=30, soft_time_limit=25)
def market_tick() -> None:
    try:
        market_tick_run()
    except PriceFeedUnavailable as exc:
        logger.warning("market tick skipped: %s", exc)  # the next tick is the retry
