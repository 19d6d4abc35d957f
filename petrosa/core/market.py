"""Last known prices, and the market events that fan out from them.

Every layer reads prices; feeds and operators write them. A market tick
writes its prices and then hands the same event, by task name and after
commit, to the stages that react to prices (petrosa.core never imports an
app): the paper exchange first, as a real exchange matches before anyone
sees the print, then the built-in strategy engine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from petrosa.core.audit import audit_record
from petrosa.core.errors import Unprocessable
from petrosa.core.handoff import enqueue_on_commit
from petrosa.core.models import MarketPrice

logger = logging.getLogger(__name__)

_CACHE_SECONDS = 5
PAPER_ON_PRICE_TASK = "execution.paper_on_price"
STRATEGIES_ON_TICK_TASK = "signals.strategies_on_tick"


def _key(symbol: str) -> str:
    return f"price:{symbol}"


def price_latest(symbol: str) -> Decimal:
    """The current price of a symbol; raises Unprocessable(no_price) if none is known."""
    try:
        cached = cache.get(_key(symbol))
    except Exception:  # noqa: BLE001 - a cache outage falls back to the database
        cached = None
    if cached is not None:
        return Decimal(cached)
    row = MarketPrice.objects.filter(symbol=symbol).values_list("price", flat=True).first()
    if row is None:
        raise Unprocessable(f"No market price is known for {symbol}.", code="no_price")
    _cache_set(symbol, row)
    return row


def prices_current(symbols: list[str] | None = None) -> dict[str, Decimal]:
    """The stored prices (of the given symbols, or all), straight from the database."""
    rows = MarketPrice.objects.all() if symbols is None else MarketPrice.objects.filter(symbol__in=symbols)
    return dict(rows.values_list("symbol", "price"))


def price_set(*, symbol: str, price: Decimal, source: str) -> MarketPrice:
    if price <= 0:
        raise Unprocessable("A price must be positive.", code="invalid_price")
    row, _ = MarketPrice.objects.update_or_create(symbol=symbol, defaults={"price": price, "source": source})
    _cache_set(symbol, price)
    return row


def _cache_set(symbol: str, price: Decimal) -> None:
    try:
        cache.set(_key(symbol), str(price), _CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        pass


@dataclass(frozen=True)
class MarketTick:
    """One market event: the prices of some symbols at one instant."""

    at: datetime
    source: str
    prices: dict[str, Decimal]

    def as_payload(self) -> dict[str, Any]:
        """The JSON form that travels as the tasks' single argument."""
        return {
            "at": self.at.isoformat(),
            "source": self.source,
            "prices": {symbol: plain(price) for symbol, price in sorted(self.prices.items())},
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> MarketTick:
        return cls(
            at=datetime.fromisoformat(payload["at"]),
            source=str(payload["source"]),
            prices={symbol: Decimal(price) for symbol, price in payload["prices"].items()},
        )


def market_tick_publish(*, prices: Mapping[str, Decimal], source: str, at: datetime | None = None) -> MarketTick:
    """Store the prices and, once committed, hand the tick to every market-event task.

    Ticks are market data, not decisions: they are not audited one by one
    (a 1 s feed would write a million rows a day); what they cause is.
    """
    tick = MarketTick(at=at or timezone.now(), source=source, prices=dict(prices))
    with transaction.atomic():
        for symbol in sorted(tick.prices):
            price_set(symbol=symbol, price=tick.prices[symbol], source=source)
        # The paper exchange takes one (symbol, price) at a time; the strategy
        # engine takes the whole tick, so its strategies see one instant at once.
        for symbol in sorted(tick.prices):
            _fan_out(PAPER_ON_PRICE_TASK, symbol, plain(tick.prices[symbol]))
        _fan_out(STRATEGIES_ON_TICK_TASK, tick.as_payload())
    return tick


def plain(price: Decimal) -> str:
    """A price as a plain decimal string without trailing zeros: "64000.5", never "6.40005E+4"."""
    return format(price.normalize(), "f")


def _fan_out(task_name: str, *args: Any) -> None:
    # Every process registers every app's tasks at start (AppConfig.ready), so a
    # name missing here is a stage not built into this deployment: skip it
    # quietly instead of logging "the sweeper will retry" on every tick.
    if task_name not in current_app.tasks:
        logger.debug("no task %s registered; market event not handed to it", task_name)
        return
    enqueue_on_commit(task_name, *args)


def market_simulate(*, symbol: str, price: Decimal, actor: str) -> tuple[MarketTick, Decimal | None]:
    """An operator's price (seed 003's /market/simulate), published as a market
    tick like any feed's, with its audit row. Returns the tick and the price before."""
    price = Decimal(plain(price))
    with transaction.atomic():
        before = MarketPrice.objects.filter(symbol=symbol).values_list("price", flat=True).first()
        tick = market_tick_publish(prices={symbol: price}, source="simulate")
        audit_record(
            kind="market.price_simulated",
            entity_type="market_price",
            entity_id=symbol,
            actor=actor,
            data={"symbol": symbol, "price": price, "before": plain(before) if before is not None else None,
                  "at": tick.at.isoformat()},
        )
    return tick, before
