"""The Binance adapter the settings ask for, with its before-trade hooks.

One adapter per process and settings (it keeps the clock offset and the
account's position mode between calls); the retry policy is re-read from the
trading config (``max_retries``) each time it is handed out.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from execution_app.exchange.binance.client import CallPolicy, binance_client
from execution_app.exchange.binance.futures import BinanceFuturesExchange
from execution_app.exchange.binance.spot import BinanceSpotExchange

BinanceExchange = BinanceSpotExchange | BinanceFuturesExchange


def binance_exchange() -> BinanceExchange:
    if settings.TRADING_MODE not in ("testnet", "live"):
        raise ImproperlyConfigured(f"the Binance adapter serves testnet and live, not {settings.TRADING_MODE}")
    adapter = _build(
        settings.TRADING_MODE,
        settings.EXCHANGE_MARKET,
        settings.BINANCE_API_KEY,
        settings.BINANCE_API_SECRET,
        settings.BINANCE_BASE_URL,
        settings.BINANCE_FUTURES_BASE_URL,
        settings.BINANCE_TIMEOUT_SECONDS,
    )
    adapter.call.policy = _policy()
    return adapter


def _policy() -> CallPolicy:
    from configs_app.services import config_resolve

    retries = int(config_resolve().get("max_retries", CallPolicy.max_retries))
    return CallPolicy(max_retries=retries, max_backoff_seconds=settings.BINANCE_MAX_BACKOFF_SECONDS)


@lru_cache(maxsize=8)
def _build(
    mode: str, market: str, api_key: str, api_secret: str, base_url: str, futures_base_url: str, timeout: float
) -> BinanceExchange:
    # Imported here: the services import the exchange package, not the other way round at import time.
    from execution_app.services.leverage import leverage_before_trade
    from execution_app.services.trading_guard import trading_guard_check

    client = binance_client(
        api_key=api_key, api_secret=api_secret, testnet=mode == "testnet", base_url=base_url,
        futures_base_url=futures_base_url, timeout=timeout,
    )  # fmt: skip
    if market == "usdm":
        return BinanceFuturesExchange(client, before_trade=(trading_guard_check, leverage_before_trade))
    return BinanceSpotExchange(client, before_trade=(trading_guard_check,))
