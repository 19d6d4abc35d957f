"""The paper market's starting point: a reference price and a yearly volatility
per bundled symbol (the symbols of the bundled exchangeInfo snapshot).

Volatilities are rough annualized figures for these coins (BTC near 50 %,
large altcoins 55-95 %), so a one-second step moves BTC by about 0.009 % and
DOGE by about 0.017 %, as the real market does on a quiet day.
"""

from __future__ import annotations

from decimal import Decimal

START_PRICES: dict[str, Decimal] = {
    symbol: Decimal(price)
    for symbol, price in {
        "BTCUSDT": "65000.00", "ETHUSDT": "3200.00", "BNBUSDT": "580.0", "SOLUSDT": "150.00", "XRPUSDT": "0.5200",
        "DOGEUSDT": "0.12000", "ADAUSDT": "0.4500", "LTCUSDT": "80.00", "TRXUSDT": "0.12000", "AVAXUSDT": "30.00",
        "LINKUSDT": "14.000", "DOTUSDT": "6.500",
    }.items()
}  # fmt: skip

ANNUAL_VOLATILITY: dict[str, float] = {
    "BTCUSDT": 0.50, "ETHUSDT": 0.65, "BNBUSDT": 0.55, "SOLUSDT": 0.85, "XRPUSDT": 0.80, "DOGEUSDT": 0.95,
    "ADAUSDT": 0.80, "LTCUSDT": 0.70, "TRXUSDT": 0.55, "AVAXUSDT": 0.90, "LINKUSDT": 0.85, "DOTUSDT": 0.80,
}  # fmt: skip
DEFAULT_ANNUAL_VOLATILITY = 0.80  # a symbol we have no figure for moves like a large altcoin
