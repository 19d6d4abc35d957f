"""Snapping to ticks and steps is exact, and the exchange minimum is computed exactly."""

from __future__ import annotations

import dataclasses
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)

import pytest

from execution_app.exchange.filters import (
    check_order,
    decimal_to_wire,
    limit_price_rounding,
    minimum_quantity,
    snap_price,
    snap_quantity,
    symbol_rules,
)

D = Decimal


@pytest.mark.parametrize(
    ("qty", "step", "expected"),
    [
        ("0.000123456", "0.00001000", "0.00012"),  # spot BTC step: no "1.2E-4"
        ("0.00012", "0.00001000", "0.00012"),  # already a multiple: unchanged
        ("0.0099999", "0.00010000", "0.0099"),
        ("71.999", "1.00000000", "71"),  # spot DOGE step prints as an integer
        ("0.0089", "0.001", "0.008"),
        ("123.456", "0.1", "123.4"),
        ("125", "10", "120"),  # a step above 1 still prints positionally
        ("0.000004", "0.00001000", "0.00000"),
    ],
)
def test_snap_quantity_rounds_down_to_step(qty: str, step: str, expected: str) -> None:
    snapped = snap_quantity(D(qty), D(step))
    assert str(snapped) == expected
    assert "E" not in str(snapped)


@pytest.mark.parametrize(
    ("price", "tick", "rounding", "expected"),
    [
        ("30000.019", "0.01000000", ROUND_DOWN, "30000.01"),  # BUY: never pay more
        ("30000.011", "0.01000000", ROUND_UP, "30000.02"),  # SELL: never sell for less
        ("30000.01", "0.01000000", ROUND_UP, "30000.01"),  # on tick: unchanged
        ("0.0712345", "0.00001000", ROUND_DOWN, "0.07123"),
        ("0.0712345", "0.000010", ROUND_UP, "0.07124"),  # futures DOGE tick "0.000010"
        ("60000.05", "0.10", ROUND_HALF_UP, "60000.1"),
        ("60000.05", "0.10", ROUND_HALF_EVEN, "60000.0"),
        ("60000.15", "0.10", ROUND_HALF_EVEN, "60000.2"),
        ("0.00001", "0.00001000", ROUND_DOWN, "0.00001"),
        ("60000.05", "0.10", ROUND_HALF_DOWN, "60000.0"),
        ("60000.051", "0.10", ROUND_HALF_DOWN, "60000.1"),
        ("30000.011", "0.01", ROUND_CEILING, "30000.02"),
        ("-30000.011", "0.01", ROUND_CEILING, "-30000.01"),
        ("30000.019", "0.01", ROUND_FLOOR, "30000.01"),
        ("-30000.011", "0.01", ROUND_FLOOR, "-30000.02"),
        ("-30000.011", "0.01", ROUND_UP, "-30000.02"),  # UP is away from zero
    ],
)
def test_snap_price_uses_the_explicit_rounding(
    price: str, tick: str, rounding: str, expected: str
) -> None:
    assert str(snap_price(D(price), D(tick), rounding=rounding)) == expected


def test_limit_price_rounding_by_side() -> None:
    assert limit_price_rounding("BUY") == ROUND_DOWN
    assert limit_price_rounding("SELL") == ROUND_UP
    with pytest.raises(ValueError):
        limit_price_rounding("buy")


def test_zero_step_means_no_snapping_and_bad_inputs_fail() -> None:
    assert snap_quantity(D("1.23456789"), D(0)) == D("1.23456789")
    with pytest.raises(ValueError):
        snap_quantity(D("1"), D("-0.1"))
    with pytest.raises(ValueError):
        snap_price(D("1.005"), D("0.01"), rounding=ROUND_05UP)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("1e-05", "0.00001"),
        ("1.2E-7", "0.00000012"),  # str() of this is "1.2E-7"; the wire form never is
        ("0.00012000", "0.00012"),
        ("1E+1", "10"),
        ("100", "100"),
        ("30000.10", "30000.1"),
        ("-0.000", "0"),
        ("0E-8", "0"),
        ("123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"),
    ],
)
def test_decimal_to_wire_is_plain_positional(value: str, wire: str) -> None:
    assert decimal_to_wire(D(value)) == wire


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_decimal_to_wire_refuses_non_finite(value: str) -> None:
    with pytest.raises(ValueError):
        decimal_to_wire(D(value))


# (market, symbol, price, expected minimum) -- worked by hand:
MINIMUMS = [
    # spot BTCUSDT: minQty 0.00001, step 0.00001, minNotional 10
    ("spot", "BTCUSDT", "30000", "0.00034"),  # 10/30000 = 0.000333.. -> up to 0.00034 (x30000 = 10.2)
    ("spot", "BTCUSDT", "50000", "0.0002"),  # 10/50000 = 0.0002 exactly
    ("spot", "BTCUSDT", "1000000", "0.00001"),  # 10/1e6 = 0.00001 = minQty
    ("spot", "BTCUSDT", "999999.99", "0.00002"),  # 10/999999.99 = 0.0000100000001 -> 0.00002
    # spot ETHUSDT: minQty 0.0001, step 0.0001, minNotional 10
    ("spot", "ETHUSDT", "1850", "0.0055"),  # 10/1850 = 0.0054054.. -> 0.0055 (x1850 = 10.175)
    ("spot", "ETHUSDT", "2500", "0.004"),  # 10/2500 = 0.004 exactly
    # spot DOGEUSDT: minQty 1, step 1, minNotional 5
    ("spot", "DOGEUSDT", "0.07", "72"),  # 5/0.07 = 71.43 -> 72 (x0.07 = 5.04)
    ("spot", "DOGEUSDT", "0.0625", "80"),  # 5/0.0625 = 80 exactly
    ("spot", "DOGEUSDT", "10", "1"),  # 5/10 = 0.5 < minQty 1
    # usdm BTCUSDT: minQty 0.001, step 0.001, MIN_NOTIONAL 100
    ("usdm", "BTCUSDT", "60000", "0.002"),  # 100/60000 = 0.001667 -> 0.002 (x60000 = 120)
    ("usdm", "BTCUSDT", "100000", "0.001"),  # 100/100000 = 0.001 exactly
    ("usdm", "BTCUSDT", "150000", "0.001"),  # 100/150000 = 0.000667 < minQty 0.001
    # usdm ETHUSDT: minQty 0.001, step 0.001, MIN_NOTIONAL 20
    ("usdm", "ETHUSDT", "2400", "0.009"),  # 20/2400 = 0.008333 -> 0.009 (x2400 = 21.6)
    ("usdm", "ETHUSDT", "4000", "0.005"),  # 20/4000 = 0.005 exactly
    # usdm DOGEUSDT: minQty 1, step 1, MIN_NOTIONAL 5
    ("usdm", "DOGEUSDT", "0.11", "46"),  # 5/0.11 = 45.45 -> 46 (x0.11 = 5.06)
    ("usdm", "DOGEUSDT", "0.1", "50"),  # 5/0.1 = 50 exactly
]


@pytest.mark.parametrize(("market", "symbol", "price", "expected"), MINIMUMS)
@pytest.mark.parametrize("market_order", [True, False])
def test_minimum_quantity_hand_computed(
    market: str, symbol: str, price: str, expected: str, market_order: bool
) -> None:
    rules = symbol_rules(symbol, market=market)
    minimum = minimum_quantity(rules, price=D(price), market_order=market_order)
    assert minimum == D(expected)
    assert decimal_to_wire(minimum) == expected
    assert minimum * D(price) >= rules.min_notional
    order_type, limit = ("MARKET", None) if market_order else ("LIMIT", D(price))
    verdict = check_order(
        rules, side="BUY", order_type=order_type, quantity=minimum,
        price=limit, reference_price=D(price),
    )
    assert verdict is None


def test_minimum_quantity_is_the_smallest_that_passes() -> None:
    rules = symbol_rules("ETHUSDT")
    one_step_less = minimum_quantity(rules, price=D("1850")) - rules.step_size
    verdict = check_order(rules, side="BUY", order_type="LIMIT", quantity=one_step_less,
                          price=D("1850"), reference_price=D("1850"))
    assert verdict is not None and verdict.filter == "NOTIONAL"  # 0.0054 x 1850 = 9.99


def test_minimum_quantity_skips_notional_when_spot_does_not_apply_it_to_market() -> None:
    rules = dataclasses.replace(symbol_rules("BTCUSDT"), apply_min_to_market=False)
    assert minimum_quantity(rules, price=D("30000"), market_order=True) == D("0.00001")
    assert minimum_quantity(rules, price=D("30000"), market_order=False) == D("0.00034")


def test_minimum_quantity_for_market_orders_uses_the_coarser_step() -> None:
    # Recorded steps always agree; a MARKET_LOT_SIZE step coarser than
    # LOT_SIZE's must still yield a quantity that passes both.
    rules = dataclasses.replace(
        symbol_rules("BTCUSDT"), market_min_qty=D("0.001"), market_step_size=D("0.001")
    )
    # 10/3000 = 0.003333..: up to the 0.00001 lot step gives 0.00334, which is
    # off the 0.001 market step; up to the coarser step gives 0.004
    minimum = minimum_quantity(rules, price=D("3000"), market_order=True)
    assert minimum == D("0.004")
    assert minimum_quantity(rules, price=D("3000"), market_order=False) == D("0.00334")
    verdict = check_order(rules, side="BUY", order_type="MARKET", quantity=minimum,
                          price=None, reference_price=D("3000"))
    assert verdict is None


def test_minimum_quantity_without_any_step_still_meets_min_notional() -> None:
    rules = dataclasses.replace(symbol_rules("BTCUSDT"), step_size=D(0), market_step_size=D(0))
    minimum = minimum_quantity(rules, price=D("30000"))
    with localcontext() as ctx:
        ctx.prec = 200  # compare exactly, not in the default 28 digits
        assert minimum * D("30000") >= D("10")  # 10/30000 = 0.000333.. rounded up
        assert (minimum - D("1e-90")) * D("30000") < D("10")  # ... by less than 1e-90


def test_minimum_quantity_needs_a_positive_price() -> None:
    with pytest.raises(ValueError):
        minimum_quantity(symbol_rules("BTCUSDT"), price=D(0))
