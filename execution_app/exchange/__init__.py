"""Exchange adapters. exchange_for_mode() picks the one PETROSA_TRADING_MODE asks for."""

from __future__ import annotations

from django.conf import settings

from execution_app.exchange.base import ExchangeAdapter


def exchange_for_mode() -> ExchangeAdapter:
    if settings.TRADING_MODE == "paper":
        from execution_app.exchange.paper import PaperExchange

        return PaperExchange()
    # testnet / live: python-binance, optionally pointed at BINANCE_BASE_URL (e.g. the paper exchange server)
    from execution_app.exchange.binance import binance_exchange

    return binance_exchange()
