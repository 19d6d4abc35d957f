"""Property tests over the BTCUSDT, ETHUSDT and DOGEUSDT snapshots (spot and USD-M):

* quantity 0 sizes to the true minimum: the smallest step multiple that passes
  every filter at that price (one step less fails);
* whatever quantity and price a signal asks for, an order sizing lets through
  passes Binance's filters, checked by an independent oracle written from
  Binance's filter documentation (not by execution_app's own check).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from execution_app.exchange.filters import SymbolRules, symbol_rules
from execution_app.sizing import order_violation, price_snap, quantity_for_entry, quantity_minimum

SYMBOLS = ("BTCUSDT", "ETHUSDT", "DOGEUSDT")
MARKETS = ("usdm", "spot")
# Realistic price ranges per symbol (the snapshot's PRICE_FILTER allows far wider).
PRICE_RANGE = {"BTCUSDT": (10_000, 200_000), "ETHUSDT": (500, 10_000), "DOGEUSDT": (Decimal("0.01"), 2)}
DEFAULT_CONFIG = {"use_exchange_minimums": True}


def oracle_refusal(
    rules: SymbolRules, *, side: str, at_market: bool, quantity: Decimal, price: Decimal | None, reference: Decimal
) -> str | None:
    """Binance's filter rules, as documented (filters.md; usds-margined common definitions)."""
    if price is not None:
        if not rules.min_price <= price <= rules.max_price or (price - rules.min_price) % rules.tick_size:
            return "PRICE_FILTER"
    if not rules.min_qty <= quantity <= rules.max_qty or (quantity - rules.min_qty) % rules.step_size:
        return "LOT_SIZE"
    if at_market and (not rules.market_min_qty <= quantity <= rules.market_max_qty
                      or (quantity - rules.market_min_qty) % rules.market_step_size):  # fmt: skip
        return "MARKET_LOT_SIZE"
    notional = (price or reference) * quantity
    if (not at_market or rules.apply_min_to_market) and notional < rules.min_notional:
        return "NOTIONAL"
    if not at_market and rules.max_notional and notional > rules.max_notional:
        return "NOTIONAL"
    if price is not None and rules.percent_price_filter:
        up, down = (rules.bid_multiplier_up, rules.bid_multiplier_down) if side == "BUY" else (
            rules.ask_multiplier_up, rules.ask_multiplier_down)  # fmt: skip
        if price > reference * up or price < reference * down:
            return "PERCENT_PRICE"
    return None


@st.composite
def market_situation(draw: st.DrawFn) -> tuple[SymbolRules, Decimal]:
    symbol = draw(st.sampled_from(SYMBOLS))
    rules = symbol_rules(symbol, market=draw(st.sampled_from(MARKETS)))
    low, high = PRICE_RANGE[symbol]
    raw = draw(st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=6, allow_nan=False))
    return rules, price_snap(raw, rules, side="BUY")


@settings(max_examples=300, deadline=None)
@given(situation=market_situation())
def test_quantity_zero_is_the_true_minimum(situation: tuple[SymbolRules, Decimal]) -> None:
    rules, price = situation
    minimum = quantity_for_entry(Decimal(0), rules, DEFAULT_CONFIG, price=price, market_order=True)
    assert minimum == quantity_minimum(rules, DEFAULT_CONFIG, price=price, market_order=True)
    assert oracle_refusal(rules, side="BUY", at_market=True, quantity=minimum, price=None, reference=price) is None
    one_less = minimum - max(rules.step_size, rules.market_step_size)
    if one_less > 0:
        refusal = oracle_refusal(rules, side="BUY", at_market=True, quantity=one_less, price=None, reference=price)
        assert refusal in ("LOT_SIZE", "MARKET_LOT_SIZE", "NOTIONAL"), (rules.symbol, price, minimum)


@settings(max_examples=400, deadline=None)
@given(
    situation=market_situation(),
    wanted_notional=st.decimals(min_value=0, max_value=2_000_000, places=4, allow_nan=False),
    side=st.sampled_from(("BUY", "SELL")),
)
def test_a_market_order_sizing_allows_is_accepted_by_binance(
    situation: tuple[SymbolRules, Decimal], wanted_notional: Decimal, side: str
) -> None:
    rules, price = situation
    quantity = quantity_for_entry(wanted_notional / price, rules, DEFAULT_CONFIG, price=price, market_order=True)
    ours = order_violation(rules, side=side, order_type="MARKET", quantity=quantity, price=None, stop_price=None,
                           reference_price=price, reduce_only=False)  # fmt: skip
    theirs = oracle_refusal(rules, side=side, at_market=True, quantity=quantity, price=None, reference=price)
    if ours is None:
        assert theirs is None, (rules.symbol, rules.market, price, quantity, theirs)
    else:
        # Refused before sending: only ever for a size beyond the exchange's maximum.
        assert ours.filter in ("LOT_SIZE", "MARKET_LOT_SIZE") and ours.rule == "above_max"
        assert theirs is not None


@settings(max_examples=400, deadline=None)
@given(
    situation=market_situation(),
    offset=st.decimals(min_value=Decimal("-0.3"), max_value=Decimal("0.3"), places=5, allow_nan=False),
    wanted_notional=st.decimals(min_value=0, max_value=500_000, places=4, allow_nan=False),
    side=st.sampled_from(("BUY", "SELL")),
)
def test_a_limit_order_sizing_allows_is_accepted_by_binance(
    situation: tuple[SymbolRules, Decimal], offset: Decimal, wanted_notional: Decimal, side: str
) -> None:
    rules, reference = situation
    limit = price_snap(reference * (1 + offset), rules, side=side)
    quantity = quantity_for_entry(wanted_notional / limit, rules, DEFAULT_CONFIG, price=limit, market_order=False)
    ours = order_violation(rules, side=side, order_type="LIMIT", quantity=quantity, price=limit, stop_price=None,
                           reference_price=reference, reduce_only=False)  # fmt: skip
    theirs = oracle_refusal(rules, side=side, at_market=False, quantity=quantity, price=limit, reference=reference)
    assert (ours is None) == (theirs is None), (rules.symbol, rules.market, reference, limit, quantity, ours, theirs)
    if ours is not None:
        # What sizing cannot fix (a price outside the band, a size beyond the maximum) is refused, named.
        assert ours.filter == theirs or (ours.filter, theirs) in {("PERCENT_PRICE_BY_SIDE", "PERCENT_PRICE"),
                                                                  ("MIN_NOTIONAL", "NOTIONAL")}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    situation=market_situation(),
    min_notional=st.none() | st.decimals(min_value=1, max_value=500, places=2),
    min_qty=st.none() | st.decimals(min_value=Decimal("0.0001"), max_value=100, places=4),
    step=st.none() | st.sampled_from([Decimal("0.001"), Decimal("0.01"), Decimal("0.1"), Decimal("1"),
                                      Decimal("0.0015")]),  # fmt: skip
)
def test_config_overrides_only_ever_make_the_minimum_stricter(
    situation: tuple[SymbolRules, Decimal], min_notional: Decimal | None, min_qty: Decimal | None,
    step: Decimal | None,
) -> None:  # fmt: skip
    rules, price = situation
    config = {"use_exchange_minimums": True, "override_min_notional": min_notional, "override_min_qty": min_qty,
              "override_step_size": step}  # fmt: skip
    minimum = quantity_for_entry(Decimal(0), rules, config, price=price, market_order=True)
    if minimum <= rules.market_max_qty:
        assert oracle_refusal(rules, side="BUY", at_market=True, quantity=minimum, price=None, reference=price) is None
    assert minimum >= quantity_minimum(rules, DEFAULT_CONFIG, price=price, market_order=True)
    if min_notional is not None:
        assert minimum * price >= min_notional
    if min_qty is not None:
        assert minimum >= min_qty
