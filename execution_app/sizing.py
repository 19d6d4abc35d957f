"""Exact sizing: how much to trade, snapped to the symbol's filters, checked before it is sent.

Pure Decimal arithmetic over the exchange's SymbolRules and the resolved
trading config. Config units: every ``*_pct`` config value is a percent
(divide by 100); a signal's own ``position_size_pct`` is a fraction and wins.

The quantity for an entry, in order:

1. ``quantity > 0`` as sent; ``quantity == 0`` means the dynamic minimum;
   ``quote_quantity / price``; otherwise equity × position size × the
   processing mode's size factor (confidence, halved for llm_reasoning) ×
   ``quantity_multiplier`` (× ``leverage`` on futures: the margin buys that
   much notional), held within ``min_position_size_usd`` and
   ``max_position_size_usd``, divided by the price.
2. Snapped DOWN to the step size (``override_step_size`` when coarser).
3. Raised to the minimum: max(minQty, minNotional / price) rounded UP to the
   step. ``use_exchange_minimums`` decides whether the exchange's minQty and
   minNotional count; ``override_min_qty`` / ``override_min_notional`` add
   floors of their own. The overrides can only make an order bigger: the
   filter check in step 4 always uses the exchange's real rules.
4. Checked against every Binance filter (LOT_SIZE, MARKET_LOT_SIZE,
   PRICE_FILTER, NOTIONAL / MIN_NOTIONAL, PERCENT_PRICE); the first failure is
   the refusal's code, ``filter_<name>``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Any

from execution_app.exchange.filters import (
    FilterViolation,
    SymbolRules,
    check_order,
    limit_price_rounding,
    minimum_quantity,
    snap_price,
    snap_quantity,
)

HUNDRED = Decimal("100")
ZERO = Decimal("0")


@dataclass(frozen=True)
class EquitySizing:
    """The inputs of an equity-based size, kept for the audit trail."""

    equity: Decimal
    fraction: Decimal  # of equity, after the signal-over-config choice
    size_factor: Decimal  # confidence × processing mode factor
    multiplier: Decimal
    leverage: Decimal
    notional: Decimal  # after the USD floor and cap


def percent(config: dict[str, Any], name: str) -> Decimal | None:
    """A config percent (0-100) as a fraction; None when unset."""
    value = config.get(name)
    return None if value is None else Decimal(value) / HUNDRED


def leverage_of(config: dict[str, Any], market: str) -> Decimal:
    """Futures buy notional with margin; spot has no leverage."""
    return Decimal(config.get("leverage") or 1) if market == "usdm" else Decimal(1)


def equity_notional(
    *,
    equity: Decimal,
    signal_fraction: Decimal | None,
    size_factor: Decimal,
    config: dict[str, Any],
    market: str,
) -> EquitySizing:
    configured = percent(config, "position_size_pct") or ZERO
    # A signal may ask for less than the operator's position_size_pct, never more:
    # the config is the risk limit the gate holds every entry to.
    fraction = configured if signal_fraction is None else min(signal_fraction, configured)
    multiplier = Decimal(config.get("quantity_multiplier") or 1)
    leverage = leverage_of(config, market)
    notional = equity * fraction * size_factor * multiplier * leverage
    notional = max(notional, Decimal(config.get("min_position_size_usd") or 0))
    notional = min(notional, Decimal(config["max_position_size_usd"]))
    return EquitySizing(equity, fraction, size_factor, multiplier, leverage, notional)


def sizing_rules(rules: SymbolRules, config: dict[str, Any]) -> SymbolRules:
    """The rules quantities are snapped and floored with: the exchange's, or
    none of its minimums when ``use_exchange_minimums`` is off, plus the
    config overrides. An override step that is not a multiple of the
    exchange's step is rounded up to one, so a snapped quantity is valid on
    both."""
    use_exchange = bool(config.get("use_exchange_minimums", True))
    min_qty = rules.min_qty if use_exchange else ZERO
    market_min_qty = rules.market_min_qty if use_exchange else ZERO
    min_notional = rules.min_notional if use_exchange else ZERO
    if config.get("override_min_qty"):
        min_qty = max(min_qty, Decimal(config["override_min_qty"]))
        market_min_qty = max(market_min_qty, Decimal(config["override_min_qty"]))
    if config.get("override_min_notional"):
        min_notional = max(min_notional, Decimal(config["override_min_notional"]))
    step, market_step = rules.step_size, rules.market_step_size
    if config.get("override_step_size"):
        wanted = Decimal(config["override_step_size"])
        exchange_step = max(rules.step_size, rules.market_step_size)
        if exchange_step:
            wanted = (wanted / exchange_step).to_integral_value(rounding=ROUND_UP) * exchange_step
        step = market_step = max(wanted, step, market_step)
    return dataclasses.replace(
        rules,
        min_qty=min_qty,
        market_min_qty=market_min_qty,
        min_notional=min_notional,
        step_size=step,
        market_step_size=market_step,
        # minimum_quantity honours applyMinToMarket; a configured floor always applies.
        apply_min_to_market=rules.apply_min_to_market or bool(config.get("override_min_notional")),
    )


def quantity_minimum(rules: SymbolRules, config: dict[str, Any], *, price: Decimal, market_order: bool) -> Decimal:
    """The smallest order quantity sizing allows at ``price`` (what quantity 0 means)."""
    return minimum_quantity(sizing_rules(rules, config), price=price, market_order=market_order)


def quantity_snap(quantity: Decimal, rules: SymbolRules, config: dict[str, Any], *, market_order: bool) -> Decimal:
    """Snap DOWN to the step: never trade more than was asked for."""
    floor_rules = sizing_rules(rules, config)
    step = max(floor_rules.step_size, floor_rules.market_step_size) if market_order else floor_rules.step_size
    return snap_quantity(quantity, step)


def quantity_for_entry(
    quantity: Decimal, rules: SymbolRules, config: dict[str, Any], *, price: Decimal, market_order: bool
) -> Decimal:
    """Snap down, then raise to the minimum (both per ``sizing_rules``)."""
    snapped = quantity_snap(quantity, rules, config, market_order=market_order)
    return max(snapped, quantity_minimum(rules, config, price=price, market_order=market_order))


def quantity_step_of(rules: SymbolRules, config: dict[str, Any], market_order: bool) -> Decimal:
    floor_rules = sizing_rules(rules, config)
    return max(floor_rules.step_size, floor_rules.market_step_size) if market_order else floor_rules.step_size


def quantity_at_least(
    notional: Decimal, rules: SymbolRules, config: dict[str, Any], *, price: Decimal, market_order: bool
) -> Decimal:
    """The smallest step-aligned quantity worth ``notional`` at ``price``: when the
    min_position_size_usd floor decides the size, snapping down would land under it."""
    step = quantity_step_of(rules, config, market_order)
    if not step:
        return notional / price
    return (notional / price / step).to_integral_value(rounding=ROUND_UP) * step


def price_snap(price: Decimal, rules: SymbolRules, *, side: str) -> Decimal:
    """Snap a limit price to the tick: a buy never pays more, a sell never gets less, than asked."""
    return snap_price(price, rules.tick_size, rounding=limit_price_rounding(side))


def order_violation(
    rules: SymbolRules,
    *,
    side: str,
    order_type: str,
    quantity: Decimal,
    price: Decimal | None,
    stop_price: Decimal | None,
    reference_price: Decimal,
    reduce_only: bool,
) -> FilterViolation | None:
    """The first Binance filter this order would fail, against the exchange's
    real rules. Futures exempt reduce-only orders from MIN_NOTIONAL (-4164 says
    "unless you choose reduce only"), so a close of a small position passes."""
    checked = rules
    if reduce_only and rules.market == "usdm":
        checked = dataclasses.replace(rules, min_notional=ZERO)
    return check_order(
        checked,
        side=side,
        order_type=order_type,
        quantity=quantity,
        price=price,
        stop_price=stop_price,
        reference_price=reference_price,
    )


def failure_code(violation: FilterViolation) -> str:
    return f"filter_{violation.filter.lower()}"
