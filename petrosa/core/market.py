"""Last known prices. Every layer reads them; feeds and operators write them."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache

from petrosa.core.errors import Unprocessable
from petrosa.core.models import MarketPrice

_CACHE_SECONDS = 5


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
