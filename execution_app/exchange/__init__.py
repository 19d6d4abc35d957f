"""Exchange adapters. exchange_for_mode() picks the one PETROSA_TRADING_MODE asks for."""

from __future__ import annotations

from django.conf import settings

from execution_app.exchange.base import ExchangeAdapter


def exchange_for_mode() -> ExchangeAdapter:
    if settings.TRADING_MODE == "paper":
        from execution_app.exchange.paper import PaperExchange

        return PaperExchange()
    raise RuntimeError(
        f"PETROSA_TRADING_MODE={settings.TRADING_MODE}: the Binance adapter is not part of this build yet; "
        "use paper"
    )
