"""From a signal to the exact orders we would send: type, side, quantity, prices, protection.

The risk gate judges ``SizedSignal.intent``, which is the first plan's
TradeIntent: what it approves is what leaves the process. Sizing runs before
the gate (README: "Sizing runs before the gate").

Order types (the signal's ``order_type``, or ``default_order_type`` when the
signal names none) map to Binance's names per market:

==================  ===================  ======================
signal              spot                 USD-M futures
==================  ===================  ======================
market              MARKET               MARKET
limit               LIMIT (GTX: LIMIT_MAKER)  LIMIT
stop                STOP_LOSS            STOP_MARKET
stop_limit          STOP_LOSS_LIMIT      STOP
take_profit         TAKE_PROFIT          TAKE_PROFIT_MARKET
take_profit_limit   TAKE_PROFIT_LIMIT    TAKE_PROFIT
conditional_limit   held by us, then LIMIT at ``price``
conditional_stop    held by us, then MARKET
==================  ===================  ======================

A stop type's trigger is ``conditional_price``, else ``price``; a limit
type's limit is ``price`` (the current price when the type came from
``default_order_type`` and the signal sent none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from execution_app.exchange.filters import SymbolRules, UnknownSymbol, symbol_rules
from execution_app.sizing import (
    EquitySizing,
    equity_notional,
    failure_code,
    order_violation,
    percent,
    price_snap,
    quantity_at_least,
    quantity_step_of,
    quantity_for_entry,
    quantity_minimum,
    quantity_snap,
)
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest
from risk_app.intent import SizingFailure, TradeIntent
from risk_app.models import PositionSide
from risk_app.services.portfolio import portfolio_equity, position_quantity
from signals_app.models import Action, OrderType, Signal
from signals_app.services.modes import size_factor

EXCHANGE_TYPES: dict[str, dict[str, str]] = {
    "spot": {
        OrderType.MARKET: "MARKET",
        OrderType.LIMIT: "LIMIT",
        OrderType.STOP: "STOP_LOSS",
        OrderType.STOP_LIMIT: "STOP_LOSS_LIMIT",
        OrderType.TAKE_PROFIT: "TAKE_PROFIT",
        OrderType.TAKE_PROFIT_LIMIT: "TAKE_PROFIT_LIMIT",
        OrderType.CONDITIONAL_LIMIT: "LIMIT",
        OrderType.CONDITIONAL_STOP: "MARKET",
    },
    "usdm": {
        OrderType.MARKET: "MARKET",
        OrderType.LIMIT: "LIMIT",
        OrderType.STOP: "STOP_MARKET",
        OrderType.STOP_LIMIT: "STOP",
        OrderType.TAKE_PROFIT: "TAKE_PROFIT_MARKET",
        OrderType.TAKE_PROFIT_LIMIT: "TAKE_PROFIT",
        OrderType.CONDITIONAL_LIMIT: "LIMIT",
        OrderType.CONDITIONAL_STOP: "MARKET",
    },
}
LIMIT_PRICED = {OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT, OrderType.CONDITIONAL_LIMIT}
TRIGGERED = {OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
CONDITIONAL = {OrderType.CONDITIONAL_LIMIT, OrderType.CONDITIONAL_STOP}
STOP_FAMILY = {OrderType.STOP, OrderType.STOP_LIMIT}
# Types that execute at market once triggered (or at once): MARKET_LOT_SIZE applies.
AT_MARKET = {"MARKET", "STOP_LOSS", "TAKE_PROFIT", "STOP_MARKET", "TAKE_PROFIT_MARKET"}


@dataclass(frozen=True)
class Protection:
    """Protective legs an entry gets once it fills: absolute prices, or
    fractions of the entry's average fill price."""

    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    stop_loss_fraction: Decimal | None = None
    take_profit_fraction: Decimal | None = None

    @property
    def wanted(self) -> bool:
        return any(v is not None for v in (self.stop_loss, self.take_profit, self.stop_loss_fraction,
                                           self.take_profit_fraction))  # fmt: skip

    def as_params(self) -> dict[str, str | None]:
        return {name: None if value is None else str(value) for name, value in self.__dict__.items()}


@dataclass(frozen=True)
class OrderPlan:
    intent: TradeIntent
    role: str  # OrderRole value
    order_type: str  # Binance type for the market
    limit_price: Decimal | None
    stop_price: Decimal | None
    time_in_force: str
    reference_price: Decimal
    conditional_price: Decimal | None = None
    conditional_direction: str = ""
    conditional_timeout: timedelta | None = None
    protection: Protection = field(default_factory=Protection)
    params: dict[str, Any] = field(default_factory=dict)
    sizing: EquitySizing | None = None

    @property
    def held(self) -> bool:
        return self.conditional_price is not None


@dataclass(frozen=True)
class SizedSignal:
    plans: tuple[OrderPlan, ...]

    @property
    def intent(self) -> TradeIntent:
        return self.plans[0].intent


def market() -> str:
    return settings.EXCHANGE_MARKET


def exchange_rules(symbol: str) -> SymbolRules:
    """The symbol's filters from the bundled exchangeInfo snapshot (paper), which is
    what the paper exchange enforces; raises UnknownSymbol."""
    return symbol_rules(symbol, market=market())


def execution_params(config: dict[str, Any]) -> dict[str, Any]:
    """What the order's later steps need, frozen at decision time: a config
    change after approval does not change an order already decided."""
    return {
        "market": market(),
        "position_mode": config.get("position_mode", "one_way"),
        "slippage_tolerance_pct": str(config.get("slippage_tolerance_pct", "0")),
        "max_retries": int(config.get("max_retries", 0)),
        "leverage": int(config.get("leverage") or 1),
        "margin_type": config.get("margin_type", ""),
    }


def size_signal(*, signal: Signal, config: dict[str, Any]) -> SizedSignal | SizingFailure:
    try:
        rules = exchange_rules(signal.symbol)
    except UnknownSymbol:
        return SizingFailure("unknown_symbol", f"{signal.symbol} is not traded on {market()}")
    try:
        reference = price_latest(signal.symbol)
    except Unprocessable as exc:
        return SizingFailure("no_price", exc.message)
    action = signal.effective_action
    params = execution_params(config)
    if action == Action.CLOSE:
        return close_plans(symbol=signal.symbol, rules=rules, reference=reference, params=params,
                           only_side=_requested_side(signal))  # fmt: skip
    return _entry_plan(signal, config, rules, reference, params)


def _requested_side(signal: Signal) -> str:
    """A close may name one side in hedge mode: meta.position_side = LONG | SHORT."""
    side = str((signal.meta or {}).get("position_side", "")).upper()
    return side if side in PositionSide.values else ""


def _entry_plan(
    signal: Signal, config: dict[str, Any], rules: SymbolRules, reference: Decimal, params: dict[str, Any]
) -> SizedSignal | SizingFailure:
    kind = signal.order_type or config.get("default_order_type") or OrderType.MARKET
    side = "BUY" if signal.effective_action == Action.BUY else "SELL"
    position_side = PositionSide.LONG if side == "BUY" else PositionSide.SHORT
    exchange_type = EXCHANGE_TYPES[rules.market][kind]
    time_in_force = ""
    if exchange_type in ("LIMIT", "STOP", "TAKE_PROFIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"):
        time_in_force = signal.time_in_force or config.get("time_in_force") or "GTC"
        if rules.market == "spot" and exchange_type == "LIMIT" and time_in_force == "GTX":
            exchange_type, time_in_force = "LIMIT_MAKER", ""  # spot's post-only is a type, not a TIF
    if exchange_type not in rules.order_types:
        return SizingFailure("order_type_not_supported", f"{rules.symbol} on {rules.market} takes no {exchange_type}")

    limit_price = None
    if kind in LIMIT_PRICED:
        limit_price = price_snap(signal.price or reference, rules, side=side)
    stop_price = None
    if kind in TRIGGERED:
        trigger = signal.conditional_price or signal.price
        if trigger is None:
            return SizingFailure("trigger_price_required", f"a {kind} order needs conditional_price or price")
        stop_price = price_snap(trigger, rules, side=side)
        if _triggers_at_once(kind, side, stop_price, reference):
            return SizingFailure(
                "would_trigger_immediately", f"{kind} {side} trigger {stop_price} is already crossed at {reference}"
            )
    conditional_price = signal.conditional_price if kind in CONDITIONAL else None
    # What the order will execute near: its limit, its trigger, or the market.
    execution_price = limit_price or stop_price or conditional_price or reference
    # A held order is checked against the market it will meet: its condition price.
    check_reference = conditional_price or reference
    at_market = exchange_type in AT_MARKET

    equity_sizing = None
    if signal.quantity is not None and signal.quantity > 0:
        wanted = signal.quantity
    elif signal.quantity == 0:
        wanted = quantity_minimum(rules, config, price=execution_price, market_order=at_market)
    elif signal.quote_quantity:
        wanted = signal.quote_quantity / execution_price
    else:
        equity_sizing = equity_notional(
            equity=portfolio_equity(),
            signal_fraction=signal.position_size_pct,
            size_factor=size_factor(signal),
            config=config,
            market=rules.market,
        )
        wanted = equity_sizing.notional / execution_price
    quantity = quantity_for_entry(wanted, rules, config, price=execution_price, market_order=at_market)
    floor = Decimal(config.get("min_position_size_usd") or 0)
    if equity_sizing is not None and quantity * execution_price < floor:
        quantity = quantity_at_least(floor, rules, config, price=execution_price, market_order=at_market)
    violation = order_violation(
        rules, side=side, order_type=exchange_type, quantity=quantity, price=limit_price, stop_price=stop_price,
        reference_price=check_reference, reduce_only=False,
    )  # fmt: skip
    if violation is not None:
        return SizingFailure(failure_code(violation), violation.detail)
    timeout = signal.conditional_timeout
    plan = OrderPlan(
        intent=TradeIntent(
            symbol=signal.symbol, side=side, position_side=position_side, quantity=quantity,
            price=execution_price, reduce_only=False, quantity_step=quantity_step_of(rules, config, at_market),
        ),  # fmt: skip
        role="entry",
        order_type=exchange_type,
        limit_price=limit_price,
        stop_price=stop_price,
        time_in_force=time_in_force,
        reference_price=reference,
        conditional_price=conditional_price,
        conditional_direction=signal.conditional_direction if conditional_price is not None else "",
        conditional_timeout=timedelta(seconds=timeout) if conditional_price is not None and timeout else None,
        protection=_protection(signal, config),
        params=params,
        sizing=equity_sizing,
    )
    return SizedSignal(plans=(plan,))


def _triggers_at_once(kind: str, side: str, trigger: Decimal, reference: Decimal) -> bool:
    """Binance answers -2021 for a stop that would fire on arrival: a buy stop
    fires at or above its trigger, a sell stop at or below; take-profits the
    other way round."""
    stop_family = kind in STOP_FAMILY
    fires_when_above = (side == "BUY") == stop_family
    return reference >= trigger if fires_when_above else reference <= trigger


def _protection(signal: Signal, config: dict[str, Any]) -> Protection:
    """The signal's own stop-loss / take-profit win; with risk_management_enabled,
    entries that carry none get the config's stop_loss_pct / take_profit_pct."""
    stop_loss, take_profit = signal.stop_loss, signal.take_profit
    stop_fraction, profit_fraction = signal.stop_loss_pct, signal.take_profit_pct
    if config.get("risk_management_enabled"):
        if stop_loss is None and stop_fraction is None:
            stop_fraction = percent(config, "stop_loss_pct")
        if take_profit is None and profit_fraction is None:
            profit_fraction = percent(config, "take_profit_pct")
    return Protection(
        stop_loss=stop_loss,
        take_profit=take_profit,
        stop_loss_fraction=stop_fraction or None,
        take_profit_fraction=profit_fraction or None,
    )


def close_plans(
    *, symbol: str, rules: SymbolRules, reference: Decimal, params: dict[str, Any], only_side: str = ""
) -> SizedSignal | SizingFailure:
    """Reduce-only market orders for every open side of the symbol (or the one named)."""
    plans = []
    for position_side, side in ((PositionSide.LONG, "SELL"), (PositionSide.SHORT, "BUY")):
        if only_side and position_side != only_side:
            continue
        held = position_quantity(symbol=symbol, side=position_side)
        if held <= 0:
            continue
        quantity = quantity_snap(held, rules, {}, market_order=True)
        if quantity <= 0:
            continue  # dust below one step cannot be sent
        violation = order_violation(
            rules, side=side, order_type="MARKET", quantity=quantity, price=None, stop_price=None,
            reference_price=reference, reduce_only=True,
        )  # fmt: skip
        if violation is not None:
            return SizingFailure(failure_code(violation), violation.detail)
        plans.append(
            OrderPlan(
                intent=TradeIntent(
                    symbol=symbol, side=side, position_side=position_side, quantity=quantity, price=reference,
                    reduce_only=True,
                ),  # fmt: skip
                role="close",
                order_type="MARKET",
                limit_price=None,
                stop_price=None,
                time_in_force="",
                reference_price=reference,
                params=params,
            )
        )
    if not plans:
        return SizingFailure("no_position", f"nothing to close on {symbol}")
    return SizedSignal(plans=tuple(plans))
