"""check_order: the first filter Binance would reject an order with.

Checks run in this fixed order and the first failure wins:

1. PRICE_FILTER on ``price``, then on ``stopPrice``;
2. LOT_SIZE, for every order (Binance applies it to market orders too);
3. MARKET_LOT_SIZE, for orders that execute at market;
4. NOTIONAL (spot) / MIN_NOTIONAL (USD-M futures);
5. PERCENT_PRICE_BY_SIDE (spot) / PERCENT_PRICE (futures), on a limit price.

Binance does not document its own evaluation order; this one is the order
the filters are listed in the futures exchangeInfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Iterator

from execution_app.exchange.filters.rules import SymbolRules
from execution_app.exchange.filters.snapping import EXACT, SIDES, decimal_to_wire

# type -> (carries a limit price, carries a stop price, executes at market)
ORDER_SHAPES: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    "spot": {
        "MARKET": (False, False, True),
        "LIMIT": (True, False, False),
        "LIMIT_MAKER": (True, False, False),
        "STOP_LOSS": (False, True, True),
        "STOP_LOSS_LIMIT": (True, True, False),
        "TAKE_PROFIT": (False, True, True),
        "TAKE_PROFIT_LIMIT": (True, True, False),
    },
    "usdm": {
        "MARKET": (False, False, True),
        "LIMIT": (True, False, False),
        "STOP": (True, True, False),
        "STOP_MARKET": (False, True, True),
        "TAKE_PROFIT": (True, True, False),
        "TAKE_PROFIT_MARKET": (False, True, True),
        "TRAILING_STOP_MARKET": (False, False, True),
    },
}

_PRICE_LABELS = ("minPrice", "maxPrice", "tickSize")
_LOT_LABELS = ("minQty", "maxQty", "stepSize")


@dataclass(frozen=True)
class FilterViolation:
    """Why Binance would reject an order.

    ``message`` is the spot wording ("Filter failure: LOT_SIZE"); futures
    answers with a different code and text per rule, which
    ``violation_error`` derives from ``field`` and ``rule``.
    ``rule`` is one of: not_positive, below_min, above_max, off_step,
    above_band, below_band, above_stop_band, below_stop_band.
    ``bound`` is the limit that was crossed (the step for off_step).
    """

    filter: str
    message: str
    detail: str
    field: str  # price | stopPrice | quantity | notional
    rule: str
    bound: Decimal | None


def _violation(
    name: str, field: str, rule: str, bound: Decimal | None, detail: str
) -> FilterViolation:
    return FilterViolation(
        filter=name,
        message=f"Filter failure: {name}",
        detail=detail,
        field=field,
        rule=rule,
        bound=bound,
    )


def _check_range(
    name: str,
    field: str,
    value: Decimal,
    bounds: tuple[Decimal, Decimal, Decimal],
    labels: tuple[str, str, str],
) -> FilterViolation | None:
    """Binance's min/max/step rule; a zero bound or step disables that part.

    The step rule is (value - min) % step == 0, the futures wording; spot
    documents value % step, which agrees because every recorded min is a
    multiple of its step.
    """
    w = decimal_to_wire
    minimum, maximum, step = bounds
    min_label, max_label, step_label = labels
    if value <= 0:
        return _violation(name, field, "not_positive", None, f"{field} {w(value)} must be positive")
    if minimum and value < minimum:
        return _violation(name, field, "below_min", minimum,
                          f"{field} {w(value)} is below {min_label} {w(minimum)}")
    if maximum and value > maximum:
        return _violation(name, field, "above_max", maximum,
                          f"{field} {w(value)} is above {max_label} {w(maximum)}")
    if step and (value - minimum) % step:
        return _violation(name, field, "off_step", step,
                          f"{field} {w(value)} is not {min_label} {w(minimum)} "
                          f"plus a multiple of {step_label} {w(step)}")
    return None


def _notional_violations(
    rules: SymbolRules, *, quantity: Decimal, basis: Decimal, at_market: bool
) -> Iterator[FilterViolation]:
    if rules.notional_filter is None:
        return
    w = decimal_to_wire
    notional = basis * quantity
    how = f"{w(basis)} x {w(quantity)}"
    name = rules.notional_filter
    min_applies = not at_market or rules.apply_min_to_market
    max_applies = not at_market or rules.apply_max_to_market
    if min_applies and rules.min_notional and notional < rules.min_notional:
        yield _violation(name, "notional", "below_min", rules.min_notional,
                         f"notional {w(notional)} ({how}) is below minNotional "
                         f"{w(rules.min_notional)}")
    if max_applies and rules.max_notional and notional > rules.max_notional:
        yield _violation(name, "notional", "above_max", rules.max_notional,
                         f"notional {w(notional)} ({how}) is above maxNotional "
                         f"{w(rules.max_notional)}")


def _band_violations(
    rules: SymbolRules,
    *,
    side: str,
    price: Decimal,
    stop_price: Decimal | None,
    reference_price: Decimal,
) -> Iterator[FilterViolation]:
    if rules.percent_price_filter is None:
        return
    w = decimal_to_wire
    if side == "BUY":
        up, down = rules.bid_multiplier_up, rules.bid_multiplier_down
    else:
        up, down = rules.ask_multiplier_up, rules.ask_multiplier_down
    # Futures bands a stop-limit's price around its stop price (-4183/-4184);
    # everything else is banded around the reference (average / mark) price.
    stop_anchored = rules.market == "usdm" and stop_price is not None
    anchor = stop_price if stop_anchored and stop_price is not None else reference_price
    anchor_label = "stopPrice" if stop_anchored else "reference price"
    suffix = "_stop_band" if stop_anchored else "_band"
    name = rules.percent_price_filter
    if up is not None and price > anchor * up:
        yield _violation(name, "price", "above" + suffix, anchor * up,
                         f"price {w(price)} is above {anchor_label} {w(anchor)} x {w(up)}"
                         f" = {w(anchor * up)}")
    if down is not None and price < anchor * down:
        yield _violation(name, "price", "below" + suffix, anchor * down,
                         f"price {w(price)} is below {anchor_label} {w(anchor)} x {w(down)}"
                         f" = {w(anchor * down)}")


def _iter_violations(
    rules: SymbolRules,
    *,
    side: str,
    order_type: str,
    quantity: Decimal,
    price: Decimal | None,
    stop_price: Decimal | None,
    reference_price: Decimal,
) -> Iterator[FilterViolation]:
    shape = ORDER_SHAPES[rules.market].get(order_type)
    if shape is None:
        raise ValueError(f"{order_type!r} is not a {rules.market} order type")
    has_price, has_stop, at_market = shape
    if side not in SIDES:
        raise ValueError(f"side must be BUY or SELL, got {side!r}")
    # A missing or extra price is a malformed request (-1102/-1106), not a
    # filter failure, so it is the caller's bug to surface.
    if has_price != (price is not None):
        raise ValueError(f"{order_type} {'needs' if has_price else 'takes no'} price")
    if has_stop != (stop_price is not None):
        raise ValueError(f"{order_type} {'needs' if has_stop else 'takes no'} stop_price")
    if reference_price <= 0:
        raise ValueError(f"reference_price must be positive, got {reference_price}")

    price_bounds = (rules.min_price, rules.max_price, rules.tick_size)
    for field, value in (("price", price), ("stopPrice", stop_price)):
        if value is not None and (found := _check_range(
            "PRICE_FILTER", field, value, price_bounds, _PRICE_LABELS
        )):
            yield found
    lot_bounds = (rules.min_qty, rules.max_qty, rules.step_size)
    if found := _check_range("LOT_SIZE", "quantity", quantity, lot_bounds, _LOT_LABELS):
        yield found
    market_bounds = (rules.market_min_qty, rules.market_max_qty, rules.market_step_size)
    if at_market and (found := _check_range(
        "MARKET_LOT_SIZE", "quantity", quantity, market_bounds, _LOT_LABELS
    )):
        yield found

    # A limit order's notional is at its price. A triggered stop executes
    # near its stop price, the best estimate of its notional; a plain market
    # order is priced at the reference price, as Binance does.
    if price is not None:
        basis = price
    elif stop_price is not None:
        basis = stop_price
    else:
        basis = reference_price
    yield from _notional_violations(rules, quantity=quantity, basis=basis, at_market=at_market)

    # Only a limit price can be banded: a market order's fill price depends
    # on the book, which this module does not see.
    if price is not None:
        yield from _band_violations(
            rules, side=side, price=price, stop_price=stop_price, reference_price=reference_price
        )


def check_order(
    rules: SymbolRules,
    *,
    side: str,
    order_type: str,
    quantity: Decimal,
    price: Decimal | None,
    stop_price: Decimal | None = None,
    reference_price: Decimal,
) -> FilterViolation | None:
    """The first filter Binance would reject this order with, or None.

    ``reference_price`` is the current average price (spot) or mark price
    (futures); it prices market orders' notional and anchors percent bands.
    Raises ValueError for malformed requests (unknown type or side, a price
    missing or sent where the type takes none). Whether the symbol lists the
    type in ``rules.order_types`` is the caller's check: it is not a filter.
    """
    with localcontext(EXACT):
        return next(
            _iter_violations(
                rules,
                side=side,
                order_type=order_type,
                quantity=quantity,
                price=price,
                stop_price=stop_price,
                reference_price=reference_price,
            ),
            None,
        )
