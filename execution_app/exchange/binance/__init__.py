"""The Binance adapters (spot and USD-M futures) on python-binance, for testnet and live.

``binance_exchange()`` builds the one the settings ask for:
``PETROSA_TRADING_MODE`` testnet or live, ``PETROSA_MARKET`` usdm or spot,
``BINANCE_API_KEY``/``BINANCE_API_SECRET``, and ``BINANCE_BASE_URL`` /
``BINANCE_FUTURES_BASE_URL`` to point it at another host, such as our paper
exchange server (``manage.py paper_exchange_server``). How every Binance
error code is handled is tabled in ``errors.py``.
"""

from __future__ import annotations

from execution_app.exchange.binance.client import BinanceCaller, CallPolicy, binance_client
from execution_app.exchange.binance.errors import ExchangeRateLimited
from execution_app.exchange.binance.factory import binance_exchange
from execution_app.exchange.binance.futures import BinanceFuturesExchange
from execution_app.exchange.binance.parsing import ExchangePosition, SymbolSettings
from execution_app.exchange.binance.spot import BinanceSpotExchange, OcoRequest

__all__ = [
    "BinanceCaller",
    "BinanceFuturesExchange",
    "BinanceSpotExchange",
    "CallPolicy",
    "ExchangePosition",
    "ExchangeRateLimited",
    "OcoRequest",
    "SymbolSettings",
    "binance_client",
    "binance_exchange",
]
