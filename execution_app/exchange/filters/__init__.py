"""Binance symbol filters: parsed rules, exact snapping, and order checks.

Pure Python, Decimal only, no Django. The same code serves the bundled
exchangeInfo recordings in ``exchange/data/`` and a live exchangeInfo
response, so the paper exchange and the live adapter agree on what Binance
would accept and answer rejections with Binance's own codes.

* ``rules``: SymbolRules, rules_from_exchange_info, load_snapshot, symbol_rules.
* ``snapping``: snap_quantity, snap_price, minimum_quantity, decimal_to_wire.
* ``checks``: check_order and FilterViolation (the check order is documented there).
* ``errors``: violation_error and the Binance error codes.
"""

from __future__ import annotations

from execution_app.exchange.filters.checks import ORDER_SHAPES, FilterViolation, check_order
from execution_app.exchange.filters.errors import FILTER_ERROR_CODE, violation_error
from execution_app.exchange.filters.rules import (
    MARKETS,
    SymbolRules,
    UnknownSymbol,
    load_snapshot,
    rules_from_exchange_info,
    symbol_rules,
)
from execution_app.exchange.filters.snapping import (
    SIDES,
    decimal_to_wire,
    limit_price_rounding,
    minimum_quantity,
    snap_price,
    snap_quantity,
)

__all__ = [
    "FILTER_ERROR_CODE",
    "MARKETS",
    "ORDER_SHAPES",
    "SIDES",
    "FilterViolation",
    "SymbolRules",
    "UnknownSymbol",
    "check_order",
    "decimal_to_wire",
    "limit_price_rounding",
    "load_snapshot",
    "minimum_quantity",
    "rules_from_exchange_info",
    "snap_price",
    "snap_quantity",
    "symbol_rules",
    "violation_error",
]
