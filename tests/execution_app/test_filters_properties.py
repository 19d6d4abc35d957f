"""check_order rejects exactly what Binance would, with Binance's names and codes.

The first half pins one failing case per filter (spot and USD-M futures);
the second half checks, with hypothesis, that orders built by snapping and
minimum_quantity always pass unless they exceed a max bound.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from execution_app.exchange.filters import (
    FILTER_ERROR_CODE,
    FilterViolation,
    SymbolRules,
    check_order,
    decimal_to_wire,
    limit_price_rounding,
    minimum_quantity,
    snap_price,
    snap_quantity,
    symbol_rules,
    violation_error,
)

D = Decimal
SPOT_BTC = symbol_rules("BTCUSDT", market="spot")
USDM_BTC = symbol_rules("BTCUSDT", market="usdm")


def _limit(rules: SymbolRules, qty: str, price: str, *, side: str = "BUY",
           reference: str | None = None) -> FilterViolation | None:
    return check_order(rules, side=side, order_type="LIMIT", quantity=D(qty), price=D(price),
                       reference_price=D(reference or price))


def _market(rules: SymbolRules, qty: str, reference: str) -> FilterViolation | None:
    return check_order(rules, side="BUY", order_type="MARKET", quantity=D(qty), price=None,
                       reference_price=D(reference))


def _assert_violation(found: FilterViolation | None, name: str, rule: str) -> FilterViolation:
    assert found is not None, f"expected {name} {rule}"
    assert (found.filter, found.rule) == (name, rule), found
    assert found.message == f"Filter failure: {name}"
    return found


# ---------------------------------------------------------------- spot examples


def test_spot_valid_orders_pass() -> None:
    assert _limit(SPOT_BTC, "0.001", "30000") is None
    assert _market(SPOT_BTC, "0.001", "30000") is None
    assert _limit(SPOT_BTC, "0.001", "150000", side="SELL", reference="30000") is None  # band edge


@pytest.mark.parametrize(
    ("price", "rule"),
    [("30000.005", "off_step"), ("0.001", "below_min"), ("1000000.01", "above_max"), ("0", "not_positive")],
)
def test_spot_price_filter(price: str, rule: str) -> None:
    # 1000000.01 is also far outside the percent band: PRICE_FILTER is checked first
    found = _assert_violation(_limit(SPOT_BTC, "0.001", price, reference="30000"), "PRICE_FILTER", rule)
    assert found.field == "price"
    assert violation_error(SPOT_BTC, found) == (-1013, "Filter failure: PRICE_FILTER")


def test_spot_price_filter_applies_to_stop_price() -> None:
    found = check_order(SPOT_BTC, side="SELL", order_type="STOP_LOSS_LIMIT", quantity=D("0.001"),
                        price=D("29000"), stop_price=D("29000.001"), reference_price=D("30000"))
    found = _assert_violation(found, "PRICE_FILTER", "off_step")
    assert found.field == "stopPrice" and "tickSize 0.01" in found.detail


@pytest.mark.parametrize(
    ("qty", "rule"),
    [("0.000015", "off_step"), ("0.000005", "below_min"), ("9000.00001", "above_max"), ("0", "not_positive")],
)
def test_spot_lot_size(qty: str, rule: str) -> None:
    found = _assert_violation(_limit(SPOT_BTC, qty, "30000"), "LOT_SIZE", rule)
    assert violation_error(SPOT_BTC, found) == (FILTER_ERROR_CODE, "Filter failure: LOT_SIZE")


def test_spot_lot_size_also_governs_market_orders() -> None:
    _assert_violation(_market(SPOT_BTC, "0.000015", "30000"), "LOT_SIZE", "off_step")


def test_spot_market_lot_size_caps_market_orders_only() -> None:
    found = _assert_violation(_market(SPOT_BTC, "170", "30000"), "MARKET_LOT_SIZE", "above_max")
    assert found.bound == D("169.00949758")
    assert "maxQty 169.00949758" in found.detail
    assert _limit(SPOT_BTC, "170", "30000") is None  # 5.1M notional, LOT_SIZE max 9000


def test_spot_notional_min_and_max() -> None:
    below = _assert_violation(_limit(SPOT_BTC, "0.0003", "30000"), "NOTIONAL", "below_min")
    assert below.detail == "notional 9 (30000 x 0.0003) is below minNotional 10"
    assert violation_error(SPOT_BTC, below) == (-1013, "Filter failure: NOTIONAL")
    # 301 x 30000 = 9,030,000 > maxNotional 9,000,000
    _assert_violation(_limit(SPOT_BTC, "301", "30000"), "NOTIONAL", "above_max")


def test_spot_notional_market_flags_are_respected() -> None:
    # applyMinToMarket=true in the recording: 0.0003 x 30000 = 9 < 10
    _assert_violation(_market(SPOT_BTC, "0.0003", "30000"), "NOTIONAL", "below_min")
    no_min = dataclasses.replace(SPOT_BTC, apply_min_to_market=False)
    assert _market(no_min, "0.0003", "30000") is None
    # applyMaxToMarket=false: a 9.03M market order passes NOTIONAL (lift MARKET_LOT_SIZE to see it)
    roomy = dataclasses.replace(SPOT_BTC, market_max_qty=D("9000"))
    assert _market(roomy, "301", "30000") is None
    capped = dataclasses.replace(roomy, apply_max_to_market=True)
    _assert_violation(_market(capped, "301", "30000"), "NOTIONAL", "above_max")


def test_spot_percent_price_by_side() -> None:
    # bid band: 30000 x 0.2 = 6000 .. 30000 x 5 = 150000, inclusive
    high = _limit(SPOT_BTC, "0.001", "150000.01", reference="30000")
    high = _assert_violation(high, "PERCENT_PRICE_BY_SIDE", "above_band")
    assert high.bound == D("150000")
    low = _limit(SPOT_BTC, "0.002", "5999.99", side="SELL", reference="30000")
    assert _assert_violation(low, "PERCENT_PRICE_BY_SIDE", "below_band").bound == D("6000")
    assert violation_error(SPOT_BTC, low) == (-1013, "Filter failure: PERCENT_PRICE_BY_SIDE")
    # the ask side uses its own multipliers
    narrow_ask = dataclasses.replace(SPOT_BTC, ask_multiplier_up=D("1.1"))
    assert _limit(narrow_ask, "0.001", "34000", reference="30000") is None  # BUY: bid band
    _assert_violation(_limit(narrow_ask, "0.001", "34000", side="SELL", reference="30000"),
                      "PERCENT_PRICE_BY_SIDE", "above_band")


# ---------------------------------------------------------------- futures examples


def test_usdm_valid_orders_pass() -> None:
    assert _limit(USDM_BTC, "0.002", "60000") is None
    assert _market(USDM_BTC, "0.002", "60000") is None


@pytest.mark.parametrize(
    ("qty", "price", "kind", "name", "rule", "error"),
    [
        ("0.002", "556.7", "LIMIT", "PRICE_FILTER", "below_min", (-4013, "Price less than min price.")),
        ("0.002", "60000.05", "LIMIT", "PRICE_FILTER", "off_step",
         (-4014, "Price not increased by tick size.")),
        ("0.0015", "60000", "LIMIT", "LOT_SIZE", "off_step", (-4023, "Qty not increased by step size.")),
        ("1001", "60000", "LIMIT", "LOT_SIZE", "above_max", (-4005, "Quantity greater than max quantity.")),
        ("121", None, "MARKET", "MARKET_LOT_SIZE", "above_max",
         (-4005, "Quantity greater than max quantity.")),
        ("0.001", "60000", "LIMIT", "MIN_NOTIONAL", "below_min",
         (-4164, "Order's notional must be no smaller than 100 (unless you choose reduce only)")),
        ("0.001", None, "MARKET", "MIN_NOTIONAL", "below_min",
         (-4164, "Order's notional must be no smaller than 100 (unless you choose reduce only)")),
        ("0.002", "63000.1", "LIMIT", "PERCENT_PRICE", "above_band",
         (-4016, "Limit price can't be higher than 63000.")),
    ],
)
def test_usdm_filters_answer_with_futures_codes(
    qty: str, price: str | None, kind: str, name: str, rule: str, error: tuple[int, str]
) -> None:
    found = check_order(USDM_BTC, side="BUY", order_type=kind, quantity=D(qty),
                        price=None if price is None else D(price), reference_price=D("60000"))
    found = _assert_violation(found, name, rule)
    assert violation_error(USDM_BTC, found) == error


def test_usdm_percent_price_below_band_for_sell() -> None:
    found = _limit(USDM_BTC, "0.002", "56999.9", side="SELL", reference="60000")
    found = _assert_violation(found, "PERCENT_PRICE", "below_band")
    assert violation_error(USDM_BTC, found) == (-4024, "Limit price can't be lower than 57000.")


def test_usdm_stop_limit_is_banded_around_its_stop_price() -> None:
    def stop(price: str) -> FilterViolation | None:
        return check_order(USDM_BTC, side="BUY", order_type="STOP", quantity=D("0.002"),
                           price=D(price), stop_price=D("65000"), reference_price=D("60000"))

    assert stop("66000") is None  # above mark x 1.05 = 63000 but within stop x 1.05 = 68250
    found = _assert_violation(stop("68250.1"), "PERCENT_PRICE", "above_stop_band")
    assert violation_error(USDM_BTC, found) == (-4183, "Limit price can't be higher than 68250.")


def test_usdm_stop_market_notional_uses_stop_price() -> None:
    # 0.002 x stop 40000 = 80 < 100 even though 0.002 x mark 60000 = 120 would pass
    found = check_order(USDM_BTC, side="SELL", order_type="STOP_MARKET", quantity=D("0.002"),
                        price=None, stop_price=D("40000"), reference_price=D("60000"))
    _assert_violation(found, "MIN_NOTIONAL", "below_min")


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"order_type": "LIMIT", "price": None}, "needs price"),
        ({"order_type": "MARKET", "price": D("60000")}, "takes no price"),
        ({"order_type": "STOP_MARKET", "price": None}, "needs stop_price"),
        ({"order_type": "STOP_LOSS", "price": None}, "not a usdm order type"),
        ({"order_type": "LIMIT", "price": D("60000"), "side": "LONG"}, "BUY or SELL"),
    ],
)
def test_malformed_requests_raise(kwargs: dict[str, object], complaint: str) -> None:
    args: dict[str, object] = {"side": "BUY", "quantity": D("0.002"), "reference_price": D("60000")}
    args.update(kwargs)
    with pytest.raises(ValueError, match=complaint):
        check_order(USDM_BTC, **args)  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties

COMBOS = [(m, s) for m in ("spot", "usdm") for s in ("BTCUSDT", "ETHUSDT", "DOGEUSDT")]
NOTIONALS = st.one_of(
    st.decimals(min_value=D("0.00000001"), max_value=D("1000"), places=8),
    st.decimals(min_value=D("1000"), max_value=D("100000000000"), places=2),
)


@st.composite
def priced_orders(draw: st.DrawFn) -> tuple[SymbolRules, str, Decimal, Decimal]:
    market, symbol = draw(st.sampled_from(COMBOS))
    rules = symbol_rules(symbol, market=market)
    places = -rules.tick_size.normalize().as_tuple().exponent + 3
    raw_price = draw(st.decimals(min_value=rules.min_price, max_value=rules.max_price, places=places))
    side = draw(st.sampled_from(["BUY", "SELL"]))
    return rules, side, raw_price, draw(NOTIONALS)


def _expected_max_breach(rules: SymbolRules, qty: Decimal, price: Decimal, at_market: bool) -> str | None:
    if qty > rules.max_qty:
        return "LOT_SIZE"
    if at_market and qty > rules.market_max_qty:
        return "MARKET_LOT_SIZE"
    max_applies = not at_market or rules.apply_max_to_market
    if max_applies and rules.max_notional and qty * price > rules.max_notional:
        return rules.notional_filter
    return None


@settings(max_examples=200, deadline=None)
@given(priced_orders(), st.booleans())
def test_snapped_orders_pass_unless_above_a_max(
    order: tuple[SymbolRules, str, Decimal, Decimal], at_market: bool
) -> None:
    rules, side, raw_price, notional = order
    price = snap_price(raw_price, rules.tick_size, rounding=limit_price_rounding(side))
    qty = snap_quantity(notional / price, rules.step_size)
    qty = max(qty, minimum_quantity(rules, price=price, market_order=at_market))

    found = check_order(
        rules, side=side, order_type="MARKET" if at_market else "LIMIT", quantity=qty,
        price=None if at_market else price, reference_price=price,
    )

    expected = _expected_max_breach(rules, qty, price, at_market)
    if expected is None:
        assert found is None, found
    else:
        _assert_violation(found, expected, "above_max")


STEPS = sorted({r.step_size for m, s in COMBOS for r in [symbol_rules(s, market=m)]}
               | {r.tick_size for m, s in COMBOS for r in [symbol_rules(s, market=m)]})


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STEPS), st.decimals(min_value=D(0), max_value=D("1e9"), places=12))
def test_snap_quantity_never_exceeds_and_lands_on_step(step: Decimal, raw: Decimal) -> None:
    snapped = snap_quantity(raw, step)
    assert snapped <= raw
    assert raw - snapped < step
    assert snapped % step == 0
    assert "E" not in str(snapped) and "E" not in decimal_to_wire(snapped)
    assert D(decimal_to_wire(snapped)) == snapped


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STEPS), st.decimals(min_value=D("0.00000001"), max_value=D("1e7"), places=10))
def test_snap_price_brackets_the_raw_price(tick: Decimal, raw: Decimal) -> None:
    down = snap_price(raw, tick, rounding=limit_price_rounding("BUY"))
    up = snap_price(raw, tick, rounding=limit_price_rounding("SELL"))
    assert down <= raw <= up
    assert up - down in (D(0), tick)
    assert down % tick == 0 and up % tick == 0
