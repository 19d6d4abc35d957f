"""The bundled exchangeInfo recordings parse into the exact rules they contain."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from execution_app.exchange.filters import (
    MARKETS,
    SymbolRules,
    UnknownSymbol,
    load_snapshot,
    rules_from_exchange_info,
    symbol_rules,
)

D = Decimal
SYMBOLS = {
    "BTCUSDT", "ETHUSDT", "DOGEUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT",
    "ADAUSDT", "LTCUSDT", "TRXUSDT", "AVAXUSDT", "LINKUSDT", "DOTUSDT",
}
DATA_DIR = Path(__file__).resolve().parents[2] / "execution_app" / "exchange" / "data"


def _raw_payload(market: str) -> dict[str, Any]:
    with (DATA_DIR / f"{market}_exchangeinfo.json").open() as fh:
        return json.load(fh)


@pytest.mark.parametrize("market", MARKETS)
def test_all_twelve_symbols_load(market: str) -> None:
    rules = load_snapshot(market)
    assert set(rules) == SYMBOLS
    assert all(r.market == market and r.status == "TRADING" for r in rules.values())
    assert all(r.quote_asset == "USDT" for r in rules.values())


# Literals copied from the recordings (spot: 2023-08, usdm: 2024-10).
EXPECTED = {
    # (market, symbol): (tickSize, stepSize, minQty, minNotional)
    ("spot", "BTCUSDT"): ("0.01000000", "0.00001000", "0.00001000", "10.00000000"),
    ("spot", "ETHUSDT"): ("0.01000000", "0.00010000", "0.00010000", "10.00000000"),
    ("spot", "DOGEUSDT"): ("0.00001000", "1.00000000", "1.00000000", "5.00000000"),
    ("usdm", "BTCUSDT"): ("0.10", "0.001", "0.001", "100"),
    ("usdm", "ETHUSDT"): ("0.01", "0.001", "0.001", "20"),
    ("usdm", "DOGEUSDT"): ("0.000010", "1", "1", "5"),
}


@pytest.mark.parametrize(("market", "symbol"), list(EXPECTED))
def test_exact_values_for_btc_eth_doge(market: str, symbol: str) -> None:
    tick, step, min_qty, min_notional = EXPECTED[(market, symbol)]
    rules = symbol_rules(symbol, market=market)
    assert rules.tick_size == D(tick)
    assert rules.step_size == D(step)
    assert rules.min_qty == D(min_qty)
    assert rules.min_notional == D(min_notional)
    # the exponent survives too: parsing went through the string, not a float
    assert str(rules.tick_size) == tick


def test_spot_btcusdt_full_rules() -> None:
    rules = symbol_rules("BTCUSDT")
    assert (rules.base_asset, rules.quote_asset) == ("BTC", "USDT")
    assert (rules.min_price, rules.max_price) == (D("0.01"), D("1000000"))
    assert rules.max_qty == D("9000")
    # MARKET_LOT_SIZE records minQty 0 and stepSize 0: those fall back to LOT_SIZE
    assert rules.market_min_qty == D("0.00001")
    assert rules.market_step_size == D("0.00001")
    assert rules.market_max_qty == D("169.00949758")
    assert rules.notional_filter == "NOTIONAL"
    assert rules.max_notional == D("9000000")
    assert (rules.apply_min_to_market, rules.apply_max_to_market) == (True, False)
    assert rules.percent_price_filter == "PERCENT_PRICE_BY_SIDE"
    assert (rules.bid_multiplier_up, rules.bid_multiplier_down) == (D("5"), D("0.2"))
    assert (rules.ask_multiplier_up, rules.ask_multiplier_down) == (D("5"), D("0.2"))
    assert rules.avg_price_mins == 5
    assert "STOP_LOSS" not in rules.order_types  # spot lists only the *_LIMIT stops
    assert rules.price_precision is None and rules.trigger_protect is None


def test_usdm_btcusdt_full_rules() -> None:
    rules = symbol_rules("BTCUSDT", market="usdm")
    assert (rules.min_price, rules.max_price) == (D("556.80"), D("4529764"))
    assert (rules.max_qty, rules.market_max_qty) == (D("1000"), D("120"))
    assert (rules.market_min_qty, rules.market_step_size) == (D("0.001"), D("0.001"))
    assert rules.notional_filter == "MIN_NOTIONAL"
    assert rules.max_notional is None
    assert rules.percent_price_filter == "PERCENT_PRICE"
    assert (rules.bid_multiplier_up, rules.bid_multiplier_down) == (D("1.05"), D("0.95"))
    assert (rules.ask_multiplier_up, rules.ask_multiplier_down) == (D("1.05"), D("0.95"))
    assert rules.trigger_protect == D("0.05")
    assert (rules.price_precision, rules.quantity_precision) == (2, 3)
    assert rules.contract_type == "PERPETUAL" and rules.margin_asset == "USDT"
    assert "TRAILING_STOP_MARKET" in rules.order_types
    assert "GTX" in rules.time_in_force


@pytest.mark.parametrize("market", MARKETS)
def test_no_float_anywhere(market: str) -> None:
    for rules in load_snapshot(market).values():
        for field in dataclasses.fields(rules):
            assert not isinstance(getattr(rules, field.name), float), field.name


@pytest.mark.parametrize("market", MARKETS)
def test_mins_are_multiples_of_their_step(market: str) -> None:
    # snap_* round to multiples of the step from zero while Binance checks
    # (value - min) % step; the two agree only because of this invariant.
    for rules in load_snapshot(market).values():
        assert rules.min_price % rules.tick_size == 0, rules.symbol
        assert rules.min_qty % rules.step_size == 0, rules.symbol
        assert rules.market_min_qty % rules.market_step_size == 0, rules.symbol


def test_unknown_filter_types_are_ignored() -> None:
    payload = _raw_payload("usdm")
    baseline = rules_from_exchange_info(payload, market="usdm")
    extended = copy.deepcopy(payload)
    for raw in extended["symbols"]:
        raw["filters"].append({"filterType": "POSITION_RISK_CONTROL", "positionControlSide": "NONE"})
    assert rules_from_exchange_info(extended, market="usdm") == baseline


def test_parses_a_live_style_response_with_legacy_spot_filters() -> None:
    payload = {
        "symbols": [
            {
                "symbol": "OLDUSDT",
                "status": "BREAK",
                "baseAsset": "OLD",
                "quoteAsset": "USDT",
                "orderTypes": ["LIMIT", "MARKET"],
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": "0", "maxPrice": "0", "tickSize": "0.001"},
                    {"filterType": "LOT_SIZE", "minQty": "0.1", "maxQty": "1000", "stepSize": "0.1"},
                    {"filterType": "MIN_NOTIONAL", "minNotional": "10", "applyToMarket": False,
                     "avgPriceMins": 5},
                    {"filterType": "PERCENT_PRICE", "multiplierUp": "1.3", "multiplierDown": "0.7",
                     "avgPriceMins": 5},
                ],
            }
        ]
    }
    rules = rules_from_exchange_info(payload, market="spot")["OLDUSDT"]
    assert isinstance(rules, SymbolRules)
    assert rules.status == "BREAK"
    assert (rules.min_price, rules.max_price) == (D(0), D(0))  # disabled, not missing
    # no MARKET_LOT_SIZE at all: every market_* value comes from LOT_SIZE
    assert (rules.market_min_qty, rules.market_max_qty, rules.market_step_size) == (
        D("0.1"), D("1000"), D("0.1"),
    )
    assert rules.notional_filter == "MIN_NOTIONAL"
    assert rules.min_notional == D("10") and rules.apply_min_to_market is False
    assert rules.percent_price_filter == "PERCENT_PRICE"
    assert (rules.ask_multiplier_up, rules.bid_multiplier_down) == (D("1.3"), D("0.7"))


def test_unknown_symbol_is_a_lookup_error_naming_the_symbol() -> None:
    with pytest.raises(UnknownSymbol, match="FOOUSDT") as excinfo:
        symbol_rules("FOOUSDT", market="usdm")
    assert isinstance(excinfo.value, LookupError)


def test_symbol_lookup_ignores_case() -> None:
    assert symbol_rules("dogeusdt").symbol == "DOGEUSDT"


def test_unknown_market_is_rejected() -> None:
    with pytest.raises(ValueError, match="coinm"):
        load_snapshot("coinm")
    with pytest.raises(ValueError):
        rules_from_exchange_info({"symbols": []}, market="margin")


def test_snapshot_cache_cannot_be_mutated_by_callers() -> None:
    first = load_snapshot("spot")
    first.pop("BTCUSDT")
    assert "BTCUSDT" in load_snapshot("spot")
