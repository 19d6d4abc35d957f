"""Live prices from Binance's public ticker endpoint (no key, no signature).

Used in testnet and live mode. One request per tick fetches every symbol's
last price; a slow or failing Binance costs one tick (logged), never a hung
worker: the connect and read timeouts are short and there are no retries,
because the next tick is the retry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

import requests

logger = logging.getLogger(__name__)

PUBLIC_BASE_URLS = {
    ("usdm", False): "https://fapi.binance.com",
    ("spot", False): "https://api.binance.com",
    ("usdm", True): "https://testnet.binancefuture.com",
    ("spot", True): "https://testnet.binance.vision",
}
TICKER_PATHS = {"usdm": "/fapi/v2/ticker/price", "spot": "/api/v3/ticker/price"}
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 3.0


class PriceFeedUnavailable(Exception):
    """Binance did not answer with prices this tick."""


class BinancePriceFeed:
    name = "binance"
    remote = True  # network I/O: called outside any transaction

    def __init__(
        self,
        *,
        market: str,
        symbols: Iterable[str],
        base_url: str = "",
        testnet: bool = False,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
    ) -> None:
        self.market = market
        self.timeout = timeout
        self.url = (base_url or PUBLIC_BASE_URLS[(market, testnet)]).rstrip("/") + TICKER_PATHS[market]
        self._symbols = sorted(set(symbols))

    @property
    def symbols(self) -> list[str]:
        return self._symbols

    def next_prices(self, *, current: Mapping[str, Decimal], step: int) -> dict[str, Decimal]:
        try:
            response = requests.get(
                self.url,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
            response.raise_for_status()
            rows = response.json(parse_float=Decimal)
        except (requests.RequestException, ValueError) as exc:
            raise PriceFeedUnavailable(f"GET {self.url}: {exc}") from exc
        return _prices_from_rows(rows, wanted=set(self._symbols))


def _prices_from_rows(rows: object, *, wanted: set[str]) -> dict[str, Decimal]:
    if not isinstance(rows, list):
        raise PriceFeedUnavailable(f"unexpected ticker answer: {str(rows)[:200]}")
    prices: dict[str, Decimal] = {}
    for row in rows:
        if not isinstance(row, dict) or row.get("symbol") not in wanted:
            continue
        try:
            price = Decimal(str(row["price"]))
        except (KeyError, InvalidOperation):
            logger.warning("binance ticker row without a usable price: %r", row)
            continue
        if price.is_finite() and price > 0:
            prices[row["symbol"]] = price
    return prices
