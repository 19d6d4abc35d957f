"""Reading Binance request parameters as Binance does: mandatory, well-formed, precise.

Each helper raises PaperBinanceError with the code and message Binance uses
for that mistake, so the HTTP server can pass the error straight through.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Mapping

from execution_app.exchange.filters import MARKETS, SymbolRules, UnknownSymbol, symbol_rules
from execution_app.exchange.paper_engine.errors import PaperBinanceError

Params = Mapping[str, str]

_NUMBER = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")
_NUMBER_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
_CLIENT_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
_CLIENT_ID_RANGE = r"^[\.A-Z\:/a-z0-9_-]{1,36}$"
_INTEGER = re.compile(r"^-?[0-9]{1,19}$")


def require_market(market: str) -> None:
    if market not in MARKETS:
        raise ValueError(f"market must be one of {MARKETS}, got {market!r}")


def optional(params: Params, name: str) -> str | None:
    """The parameter, or None when absent or empty (Binance treats both alike)."""
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def mandatory(params: Params, name: str) -> str:
    value = optional(params, name)
    if value is None:
        raise PaperBinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
    return value


def one_of(params: Params, first: str, second: str) -> None:
    if optional(params, first) is None and optional(params, second) is None:
        raise PaperBinanceError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def not_sent(params: Params, name: str) -> None:
    if optional(params, name) is not None:
        raise PaperBinanceError(-1106, f"Parameter '{name}' sent when not required.")


def decimal_param(params: Params, name: str) -> Decimal | None:
    """A positive-format decimal as Binance accepts it: no sign, no exponent."""
    value = optional(params, name)
    if value is None:
        return None
    if not _NUMBER.match(value):
        raise PaperBinanceError(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '{_NUMBER_RANGE}'."
        )
    return Decimal(value)


def int_param(params: Params, name: str) -> int | None:
    value = optional(params, name)
    if value is None:
        return None
    if not _INTEGER.match(value):
        raise PaperBinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^-?[0-9]+$'.")
    return int(value)


def bool_param(params: Params, name: str, *, default: bool = False) -> bool:
    value = optional(params, name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise PaperBinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return lowered == "true"


def client_id_param(params: Params, name: str) -> str | None:
    value = optional(params, name)
    if value is not None and not _CLIENT_ID.match(value):
        raise PaperBinanceError(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '{_CLIENT_ID_RANGE}'."
        )
    return value


def symbol_param(params: Params, *, market: str, name: str = "symbol") -> SymbolRules:
    symbol = mandatory(params, name).upper()
    try:
        return symbol_rules(symbol, market=market)
    except UnknownSymbol:
        raise PaperBinanceError(-1121, "Invalid symbol.") from None


def optional_symbol(params: Params, *, market: str) -> SymbolRules | None:
    return None if optional(params, "symbol") is None else symbol_param(params, market=market)


def side_param(params: Params, name: str = "side") -> str:
    side = mandatory(params, name).upper()
    if side not in ("BUY", "SELL"):
        raise PaperBinanceError(-1117, "Invalid side.")
    return side


def decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def check_precision(value: Decimal, *, name: str, places: int | None, market: str) -> None:
    """-1111: more decimals than the asset allows (futures: pricePrecision /
    quantityPrecision; spot: the asset precision, 8 on every snapshot symbol)."""
    if places is None or decimals(value) <= places:
        return
    if market == "spot":
        raise PaperBinanceError(-1111, f"Parameter '{name}' has too much precision.")
    raise PaperBinanceError(-1111, "Precision is over the maximum defined for this asset.")


def limit_param(params: Params, *, default: int, maximum: int) -> int:
    value = int_param(params, "limit")
    if value is None or value <= 0:
        return default
    return min(value, maximum)
