"""Exact Decimal snapping to ticks and steps, and the wire format Binance accepts."""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    localcontext,
)

from execution_app.exchange.filters.rules import SymbolRules

SIDES: tuple[str, ...] = ("BUY", "SELL")

# 100 digits is far beyond any price x quantity Binance can express, so the
# divmod/multiply done under it never round. The default traps (invalid
# operation, division by zero, overflow) stay on so nonsense fails loudly.
EXACT = Context(prec=100)


def decimal_to_wire(value: Decimal) -> str:
    """Plain positional text, no exponent, no redundant zeros: Binance rejects ``1e-05``."""
    if not value.is_finite():
        raise ValueError(f"cannot send {value!r} to Binance")
    if value.is_zero():
        return "0"  # also folds -0 and 0E-8
    return format(value.normalize(context=EXACT), "f")


def _display_exponent(step: Decimal) -> Decimal:
    # Quantize target: the step's significant exponent (0.00001000 -> 1E-5),
    # never positive so a step of 10 still prints "120", not "1.2E+2".
    exponent = min(step.normalize(context=EXACT).as_tuple().exponent, 0)
    return Decimal((0, (1,), exponent))


def multiple_of(units: Decimal, step: Decimal) -> Decimal:
    """``units`` x ``step``, written with the step's significant digits."""
    with localcontext(EXACT):
        return (units * step).quantize(_display_exponent(step))


def _to_multiple(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    """``value`` moved to a multiple of ``step`` by ``rounding``, exactly.

    divmod gives the exact truncated quotient and remainder, so the rounding
    decision compares the remainder with the step instead of trusting a
    rounded division.
    """
    if step < 0:
        raise ValueError(f"step must not be negative, got {step}")
    if step == 0:
        return value  # a 0 tick/step is Binance's "rule disabled"
    with localcontext(EXACT):
        units, remainder = divmod(value, step)
        if remainder:
            away = Decimal(1).copy_sign(remainder)  # one more unit, away from zero
            if rounding == ROUND_UP:
                units += away
            elif rounding == ROUND_CEILING:
                units += 1 if remainder > 0 else 0
            elif rounding == ROUND_FLOOR:
                units -= 1 if remainder < 0 else 0
            elif rounding in (ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN):
                twice = abs(remainder) * 2
                tie_goes_away = rounding == ROUND_HALF_UP or (
                    rounding == ROUND_HALF_EVEN and units % 2 != 0
                )
                if twice > step or (twice == step and tie_goes_away):
                    units += away
            elif rounding != ROUND_DOWN:
                raise ValueError(f"unsupported rounding mode {rounding!r}")
        return multiple_of(units, step)


def snap_quantity(qty: Decimal, step: Decimal) -> Decimal:
    """Round DOWN to a multiple of ``step``: never trade more than was asked for."""
    return _to_multiple(qty, step, ROUND_DOWN)


def snap_price(price: Decimal, tick: Decimal, *, rounding: str) -> Decimal:
    """Round to a multiple of ``tick`` with an explicit mode.

    Use ROUND_DOWN for BUY limits (never pay more than intended) and ROUND_UP
    for SELL limits (never sell for less); ``limit_price_rounding`` picks it.
    """
    return _to_multiple(price, tick, rounding)


def limit_price_rounding(side: str) -> str:
    if side not in SIDES:
        raise ValueError(f"side must be BUY or SELL, got {side!r}")
    return ROUND_DOWN if side == "BUY" else ROUND_UP


def minimum_quantity(rules: SymbolRules, *, price: Decimal, market_order: bool = True) -> Decimal:
    """Smallest quantity that passes the lot and min-notional filters at ``price``.

    This is what "quantity 0 = use the exchange minimum" resolves to:
    max(minQty, minNotional / price) rounded UP to the step, so that
    result x price >= minNotional holds exactly. For market orders ``price``
    is the reference (average / mark) price, both LOT_SIZE and
    MARKET_LOT_SIZE apply, and spot's applyMinToMarket is respected.
    Max bounds are not considered: at absurd prices the result can exceed
    maxQty, and check_order will say so.
    """
    if price <= 0:
        raise ValueError(f"price must be positive, got {price}")
    floor_qty, step = rules.min_qty, rules.step_size
    needs_notional = rules.min_notional > 0
    if market_order:
        floor_qty = max(floor_qty, rules.market_min_qty)
        # Binance steps are powers of ten, so the coarser one is a multiple
        # of the finer and satisfies both LOT_SIZE and MARKET_LOT_SIZE.
        step = max(step, rules.market_step_size)
        needs_notional = needs_notional and rules.apply_min_to_market
    with localcontext(EXACT) as ctx:
        if step == 0:
            ctx.rounding = ROUND_CEILING  # rounding up keeps result x price >= minNotional
            return max(floor_qty, rules.min_notional / price) if needs_notional else floor_qty
        result = _to_multiple(floor_qty, step, ROUND_UP)
        if needs_notional:
            # ceil(minNotional / (price x step)) steps, by exact integer division
            units, remainder = divmod(rules.min_notional, price * step)
            result = max(result, multiple_of(units + (1 if remainder else 0), step))
        return result
