"""Turning a signal into the exact order we would send: side, snapped quantity, price.

The risk gate judges this exact order, so what it approves is what leaves the
process (see ARCHITECTURE deviation note in README: sizing runs before the gate).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from execution_app.exchange.filters import UnknownSymbol, check_order, minimum_quantity, snap_quantity, symbol_rules
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest
from risk_app.intent import SizingFailure, TradeIntent
from risk_app.models import PositionSide
from risk_app.services.portfolio import portfolio_equity, position_quantity
from signals_app.models import Action, OrderType, Signal
from signals_app.services.modes import size_factor

SUPPORTED_ORDER_TYPES = {OrderType.MARKET}


def size_signal(*, signal: Signal, config: dict[str, Any]) -> TradeIntent | SizingFailure:
    try:
        rules = symbol_rules(signal.symbol, market=settings.EXCHANGE_MARKET)
    except UnknownSymbol:
        return SizingFailure("unknown_symbol", f"{signal.symbol} is not traded on {settings.EXCHANGE_MARKET}")
    if signal.order_type not in SUPPORTED_ORDER_TYPES:
        return SizingFailure("order_type_not_supported", f"{signal.order_type} orders are not executed yet")
    try:
        price = price_latest(signal.symbol)
    except Unprocessable as exc:
        return SizingFailure("no_price", exc.message)

    action = signal.effective_action
    if action == Action.CLOSE:
        return _close_intent(signal.symbol, price)

    side = "BUY" if action == Action.BUY else "SELL"
    position_side = PositionSide.LONG if side == "BUY" else PositionSide.SHORT
    minimum = minimum_quantity(rules, price=price, market_order=True)
    if signal.quantity is not None and signal.quantity > 0:
        quantity = signal.quantity
    elif signal.quantity == 0:
        quantity = minimum  # seed 001: quantity 0 means "the exchange minimum"
    elif signal.quote_quantity:
        quantity = signal.quote_quantity / price
    else:
        quantity = _quantity_from_equity(signal, config, price)
    quantity = max(snap_quantity(quantity, rules.market_step_size), minimum)
    violation = check_order(
        rules, side=side, order_type="MARKET", quantity=quantity, price=None, reference_price=price
    )
    if violation is not None:
        return SizingFailure(f"filter_{violation.filter.lower()}", violation.detail)
    return TradeIntent(
        symbol=signal.symbol,
        side=side,
        position_side=position_side,
        quantity=quantity,
        price=price,
        reduce_only=False,
    )


def _quantity_from_equity(signal: Signal, config: dict[str, Any], price: Decimal) -> Decimal:
    """position_size_pct of equity, scaled by the processing mode's size factor
    (confidence, halved for llm_reasoning), held within the USD floor and cap."""
    fraction = signal.position_size_pct if signal.position_size_pct is not None else config["position_size_pct"]
    notional = portfolio_equity() * fraction * size_factor(signal)
    notional = min(max(notional, config["min_position_size_usd"]), config["max_position_size_usd"])
    return notional / price


def _close_intent(symbol: str, price: Decimal) -> TradeIntent | SizingFailure:
    for position_side, side in ((PositionSide.LONG, "SELL"), (PositionSide.SHORT, "BUY")):
        held = position_quantity(symbol=symbol, side=position_side)
        if held > 0:
            return TradeIntent(
                symbol=symbol, side=side, position_side=position_side, quantity=held, price=price, reduce_only=True
            )
    return SizingFailure("no_position", f"nothing to close on {symbol}")
