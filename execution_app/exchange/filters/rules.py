"""SymbolRules: one symbol's Binance filters, parsed from exchangeInfo.

The same parser serves the bundled recordings in ``exchange/data/`` and a
live GET /api/v3/exchangeInfo or /fapi/v1/exchangeInfo response.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

MARKETS: tuple[str, ...] = ("spot", "usdm")

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_ZERO = Decimal(0)


class UnknownSymbol(LookupError):
    """The symbol is not in the rules we hold for that market."""


@dataclass(frozen=True)
class SymbolRules:
    """One symbol's trading rules, normalised across spot and USD-M futures.

    A zero ``min_*``/``max_*``/``tick_size``/``step_size`` means "disabled",
    as in Binance. ``market_*`` already carry the LOT_SIZE fallback for the
    fields MARKET_LOT_SIZE leaves at 0 (spot records minQty and stepSize 0).
    Percent-price bounds are per side: futures PERCENT_PRICE has one pair,
    stored on both sides. ``*_filter`` hold the filter names the recording
    actually has, so violations name what Binance would name.
    """

    symbol: str
    market: str
    status: str
    base_asset: str
    quote_asset: str
    base_asset_precision: int
    quote_precision: int
    price_precision: int | None  # futures only
    quantity_precision: int | None  # futures only
    order_types: tuple[str, ...]
    time_in_force: tuple[str, ...]  # futures only; spot exchangeInfo has none
    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal
    market_min_qty: Decimal
    market_max_qty: Decimal
    market_step_size: Decimal
    notional_filter: str | None
    min_notional: Decimal
    max_notional: Decimal | None
    apply_min_to_market: bool
    apply_max_to_market: bool
    percent_price_filter: str | None
    bid_multiplier_up: Decimal | None
    bid_multiplier_down: Decimal | None
    ask_multiplier_up: Decimal | None
    ask_multiplier_down: Decimal | None
    avg_price_mins: int | None  # spot: minutes of the average price used as reference
    trigger_protect: Decimal | None  # futures only
    market_take_bound: Decimal | None  # futures only
    contract_type: str | None  # futures only
    margin_asset: str | None  # futures only


def _dec(value: Any) -> Decimal:
    # exchangeInfo sends numbers as strings; str() also keeps a JSON float's
    # shortest repr instead of its binary expansion.
    return Decimal(str(value))


def _optional_dec(value: Any) -> Decimal | None:
    return None if value is None else _dec(value)


def _lot(fields: dict[str, Any] | None) -> tuple[Decimal, Decimal, Decimal]:
    if fields is None:
        return _ZERO, _ZERO, _ZERO
    return _dec(fields["minQty"]), _dec(fields["maxQty"]), _dec(fields["stepSize"])


def _notional(filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    # Spot NOTIONAL replaced the legacy MIN_NOTIONAL (2022); when a recording
    # has NOTIONAL we use it. Futures MIN_NOTIONAL keys the bound "notional".
    if "NOTIONAL" in filters:
        f = filters["NOTIONAL"]
        return {
            "notional_filter": "NOTIONAL",
            "min_notional": _dec(f.get("minNotional", 0)),
            "max_notional": _optional_dec(f.get("maxNotional")),
            "apply_min_to_market": bool(f.get("applyMinToMarket", True)),
            "apply_max_to_market": bool(f.get("applyMaxToMarket", False)),
        }
    if "MIN_NOTIONAL" in filters:
        f = filters["MIN_NOTIONAL"]
        return {
            "notional_filter": "MIN_NOTIONAL",
            "min_notional": _dec(f.get("minNotional", f.get("notional", 0))),
            "max_notional": None,
            # futures MIN_NOTIONAL always applies to market orders (at mark price)
            "apply_min_to_market": bool(f.get("applyToMarket", True)),
            "apply_max_to_market": False,
        }
    return {
        "notional_filter": None,
        "min_notional": _ZERO,
        "max_notional": None,
        "apply_min_to_market": False,
        "apply_max_to_market": False,
    }


def _percent_price(filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if "PERCENT_PRICE_BY_SIDE" in filters:
        f = filters["PERCENT_PRICE_BY_SIDE"]
        return {
            "percent_price_filter": "PERCENT_PRICE_BY_SIDE",
            "bid_multiplier_up": _dec(f["bidMultiplierUp"]),
            "bid_multiplier_down": _dec(f["bidMultiplierDown"]),
            "ask_multiplier_up": _dec(f["askMultiplierUp"]),
            "ask_multiplier_down": _dec(f["askMultiplierDown"]),
        }
    up = down = None
    name = None
    if "PERCENT_PRICE" in filters:
        f = filters["PERCENT_PRICE"]
        name, up, down = "PERCENT_PRICE", _dec(f["multiplierUp"]), _dec(f["multiplierDown"])
    return {
        "percent_price_filter": name,
        "bid_multiplier_up": up,
        "bid_multiplier_down": down,
        "ask_multiplier_up": up,
        "ask_multiplier_down": down,
    }


def _symbol_rules(raw: dict[str, Any], market: str) -> SymbolRules:
    filters = {f["filterType"]: f for f in raw.get("filters", [])}
    price = filters.get("PRICE_FILTER", {})
    min_qty, max_qty, step = _lot(filters.get("LOT_SIZE"))
    m_min, m_max, m_step = _lot(filters.get("MARKET_LOT_SIZE"))
    avg_mins = next((f["avgPriceMins"] for f in filters.values() if "avgPriceMins" in f), None)
    return SymbolRules(
        symbol=raw["symbol"],
        market=market,
        status=raw.get("status", ""),
        base_asset=raw["baseAsset"],
        quote_asset=raw["quoteAsset"],
        base_asset_precision=int(raw.get("baseAssetPrecision", 8)),
        quote_precision=int(raw.get("quoteAssetPrecision", raw.get("quotePrecision", 8))),
        price_precision=raw.get("pricePrecision"),
        quantity_precision=raw.get("quantityPrecision"),
        order_types=tuple(raw.get("orderTypes", ())),
        time_in_force=tuple(raw.get("timeInForce", ())),
        min_price=_dec(price.get("minPrice", 0)),
        max_price=_dec(price.get("maxPrice", 0)),
        tick_size=_dec(price.get("tickSize", 0)),
        min_qty=min_qty,
        max_qty=max_qty,
        step_size=step,
        # Binance: a 0 in MARKET_LOT_SIZE means the LOT_SIZE value governs.
        market_min_qty=m_min or min_qty,
        market_max_qty=m_max or max_qty,
        market_step_size=m_step or step,
        **_notional(filters),
        **_percent_price(filters),
        avg_price_mins=None if avg_mins is None else int(avg_mins),
        trigger_protect=_optional_dec(raw.get("triggerProtect")),
        market_take_bound=_optional_dec(raw.get("marketTakeBound")),
        contract_type=raw.get("contractType"),
        margin_asset=raw.get("marginAsset"),
    )


def require_market(market: str) -> None:
    if market not in MARKETS:
        raise ValueError(f"market must be one of {MARKETS}, got {market!r}")


def rules_from_exchange_info(payload: dict[str, Any], *, market: str) -> dict[str, SymbolRules]:
    """Parse a raw exchangeInfo response; unknown filter types are ignored."""
    require_market(market)
    return {raw["symbol"]: _symbol_rules(raw, market) for raw in payload.get("symbols", [])}


@lru_cache(maxsize=None)
def _snapshot(market: str) -> dict[str, SymbolRules]:
    path = _DATA_DIR / f"{market}_exchangeinfo.json"
    with path.open(encoding="utf-8") as fh:
        payload = json.load(fh, parse_float=Decimal)
    return rules_from_exchange_info(payload, market=market)


def load_snapshot(market: str) -> dict[str, SymbolRules]:
    """Rules from the bundled recording; a fresh dict so callers can't poison the cache."""
    require_market(market)
    return dict(_snapshot(market))


def symbol_rules(symbol: str, *, market: str = "spot") -> SymbolRules:
    rules = load_snapshot(market).get(symbol.upper())
    if rules is None:
        raise UnknownSymbol(f"{symbol!r} is not in the bundled {market} exchangeInfo snapshot")
    return rules
