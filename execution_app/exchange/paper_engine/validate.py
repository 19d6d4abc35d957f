"""Turning a new-order request into an OrderSpec, or Binance's rejection.

Checks run in Binance's order: malformed parameters (-1100/-1102/-1106,
-1115/-1116/-1117, -1121), type support on the symbol (-2010 spot, -4120
futures conditional types on /fapi/v1/order), precision (-1111), then the
symbol filters (spot -1013 naming the filter; futures per-rule codes such as
-4164 for MIN_NOTIONAL), using execution_app.exchange.filters.check_order.
Balance, margin, duplicate ids and "would trigger" come later, in placement,
because they depend on the account.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from execution_app.exchange.filters import SymbolRules, check_order, violation_error
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.params import (
    Params,
    bool_param,
    check_precision,
    client_id_param,
    decimal_param,
    mandatory,
    not_sent,
    one_of,
    optional,
    side_param,
    symbol_param,
)
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest

SPOT_TYPES = ("MARKET", "LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
FUTURES_TYPES = ("MARKET", "LIMIT")
ALGO_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET")
FUTURES_CONDITIONAL = (*ALGO_TYPES, "TRAILING_STOP_MARKET")
# type -> (needs price, needs stop price, needs timeInForce)
_SPOT_NEEDS = {
    "MARKET": (False, False, False),
    "LIMIT": (True, False, True),
    "LIMIT_MAKER": (True, False, False),
    "STOP_LOSS": (False, True, False),
    "STOP_LOSS_LIMIT": (True, True, True),
    "TAKE_PROFIT": (False, True, False),
    "TAKE_PROFIT_LIMIT": (True, True, True),
}
_FUTURES_NEEDS = {
    "MARKET": (False, False, False),
    "LIMIT": (True, False, True),
    "STOP": (True, True, False),
    "TAKE_PROFIT": (True, True, False),
    "STOP_MARKET": (False, True, False),
    "TAKE_PROFIT_MARKET": (False, True, False),
}
_UNSUPPORTED_SPOT = {
    "MARKET": "Market orders are not supported for this symbol.",
    "STOP_LOSS": "Stop loss orders are not supported for this symbol.",
    "STOP_LOSS_LIMIT": "Stop loss limit orders are not supported for this symbol.",
    "TAKE_PROFIT": "Take profit orders are not supported for this symbol.",
    "TAKE_PROFIT_LIMIT": "Take profit limit orders are not supported for this symbol.",
}
SPOT_TIF = ("GTC", "IOC", "FOK")
FUTURES_TIF = ("GTC", "IOC", "FOK", "GTX")
STOP_FAMILY = ("STOP_LOSS", "STOP_LOSS_LIMIT", "STOP", "STOP_MARKET")
MARKET_LIKE = ("MARKET", "STOP_LOSS", "TAKE_PROFIT", "STOP_MARKET", "TAKE_PROFIT_MARKET")


@dataclass(frozen=True)
class OrderSpec:
    rules: SymbolRules
    side: str
    order_type: str
    time_in_force: str
    quantity: Decimal | None  # None: spot quoteOrderQty, or futures closePosition
    quote_quantity: Decimal | None
    price: Decimal | None
    stop_price: Decimal | None
    client_order_id: str | None
    resp_type: str
    position_side: str  # "" on spot; BOTH / LONG / SHORT on futures
    reduce_only: bool
    close_position: bool
    last: Decimal  # the last price the checks used

    @property
    def market(self) -> str:
        return self.rules.market

    @property
    def is_stop(self) -> bool:
        return self.stop_price is not None


def stop_triggered(*, order_type: str, side: str, stop: Decimal, last: Decimal) -> bool:
    """Binance's trigger rule: stops fire when the price moves against the
    order's side past the stop, take-profits when it moves in favour."""
    if order_type in STOP_FAMILY:
        return last >= stop if side == "BUY" else last <= stop
    return last <= stop if side == "BUY" else last >= stop


def last_price(symbol: str) -> Decimal:
    try:
        return price_latest(symbol)
    except Unprocessable:
        # No market data: no counterparty either. Binance's word for it.
        raise PaperBinanceError(-2010, "Market is closed.") from None


def _check_needs(params: Params, order_type: str, needs: tuple[bool, bool, bool], *, stop_name: str) -> None:
    needs_price, needs_stop, needs_tif = needs
    for name, needed in (("timeInForce", needs_tif), ("price", needs_price), (stop_name, needs_stop)):
        if needed:
            mandatory(params, name)
        elif name != "timeInForce" or order_type in ("MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET"):
            not_sent(params, name)


def _type_param(params: Params, allowed: tuple[str, ...], name: str = "type") -> str:
    order_type = mandatory(params, name).upper()
    if order_type not in allowed:
        raise PaperBinanceError(-1116, "Invalid orderType.")
    return order_type


def _tif(params: Params, order_type: str, allowed: tuple[str, ...], needs_tif: bool) -> str:
    value = optional(params, "timeInForce")
    if value is None:
        return "GTC" if needs_tif or order_type in ("STOP", "TAKE_PROFIT") else ""
    value = value.upper()
    if value not in allowed:
        raise PaperBinanceError(-1115, "Invalid timeInForce.")
    return value


def _resp_type(params: Params, allowed: tuple[str, ...], default: str) -> str:
    value = (optional(params, "newOrderRespType") or default).upper()
    if value not in allowed:
        raise PaperBinanceError(-1100, "Illegal characters found in parameter 'newOrderRespType'; legal range is "
                                       f"'{'|'.join(allowed)}'.")
    return value


def _precision(spec_rules: SymbolRules, *, quantity: Decimal | None, prices: dict[str, Decimal | None]) -> None:
    spot = spec_rules.market == "spot"
    qty_places = spec_rules.base_asset_precision if spot else spec_rules.quantity_precision
    price_places = spec_rules.quote_precision if spot else spec_rules.price_precision
    if quantity is not None:
        check_precision(quantity, name="quantity", places=qty_places, market=spec_rules.market)
    for name, value in prices.items():
        if value is not None:
            check_precision(value, name=name, places=price_places, market=spec_rules.market)


def check_filters(spec: OrderSpec) -> None:
    """The symbol filters, failing with the filter named (spot) or its futures code."""
    rules = spec.rules
    if rules.market == "usdm" and (spec.reduce_only or spec.close_position):
        # Binance waives MIN_NOTIONAL for reduce-only orders ("unless you choose reduce only").
        rules = dataclasses.replace(rules, min_notional=Decimal(0))
    quantity = spec.quantity
    if quantity is None:
        if spec.quote_quantity is not None and rules.min_notional and rules.apply_min_to_market \
                and spec.quote_quantity < rules.min_notional:
            raise PaperBinanceError(-1013, f"Filter failure: {rules.notional_filter}")
        # closePosition / quoteOrderQty: only the prices can be checked now
        rules = dataclasses.replace(rules, min_notional=Decimal(0), max_notional=None)
        quantity = max(rules.min_qty, rules.market_min_qty, rules.step_size) or Decimal(1)
    shape_type = spec.order_type
    violation = check_order(
        rules, side=spec.side, order_type=shape_type, quantity=quantity, price=spec.price,
        stop_price=spec.stop_price, reference_price=spec.last,
    )
    if violation is not None:
        code, message = violation_error(rules, violation)
        raise PaperBinanceError(code, message)


def parse_spot_order(params: Params) -> OrderSpec:
    rules = symbol_param(params, market="spot")
    side = side_param(params)
    order_type = _type_param(params, SPOT_TYPES)
    needs = _SPOT_NEEDS[order_type]
    _check_needs(params, order_type, needs, stop_name="stopPrice")
    if order_type == "MARKET":
        one_of(params, "quantity", "quoteOrderQty")
    else:
        mandatory(params, "quantity")
        not_sent(params, "quoteOrderQty")
    if order_type not in rules.order_types:
        raise PaperBinanceError(-2010, _UNSUPPORTED_SPOT.get(order_type, "Unsupported order combination"))
    tif = _tif(params, order_type, SPOT_TIF, needs[2])
    quantity, quote = decimal_param(params, "quantity"), decimal_param(params, "quoteOrderQty")
    if quantity is not None and quote is not None:
        raise PaperBinanceError(-1106, "Parameter 'quoteOrderQty' sent when not required.")
    price, stop = decimal_param(params, "price"), decimal_param(params, "stopPrice")
    _precision(rules, quantity=quantity, prices={"price": price, "stopPrice": stop})
    spec = OrderSpec(
        rules=rules, side=side, order_type=order_type, time_in_force=tif, quantity=quantity, quote_quantity=quote,
        price=price, stop_price=stop, client_order_id=client_id_param(params, "newClientOrderId"),
        resp_type=_resp_type(params, ("ACK", "RESULT", "FULL"), "FULL" if order_type in ("MARKET", "LIMIT") else "ACK"),
        position_side="", reduce_only=False, close_position=False, last=last_price(rules.symbol),
    )
    check_filters(spec)
    return spec


def _position_side(params: Params) -> str:
    value = (optional(params, "positionSide") or "BOTH").upper()
    if value not in ("BOTH", "LONG", "SHORT"):
        raise PaperBinanceError(-4060, "Invalid position side.")
    return value


def parse_futures_order(params: Params, *, algo: bool) -> OrderSpec:
    """/fapi/v1/order (``algo=False``: MARKET, LIMIT) or /fapi/v1/algoOrder
    (``algo=True``: the conditional types, trigger in ``triggerPrice``)."""
    rules = symbol_param(params, market="usdm")
    side = side_param(params)
    if algo:
        algo_type = (optional(params, "algoType") or "CONDITIONAL").upper()
        if algo_type != "CONDITIONAL":
            raise PaperBinanceError(-1100, "Illegal characters found in parameter 'algoType'; legal range is "
                                           "'CONDITIONAL'.")
        order_type = _type_param(params, FUTURES_CONDITIONAL)
        if order_type == "TRAILING_STOP_MARKET":
            raise PaperBinanceError(-1116, "Invalid orderType.")
    else:
        order_type = _type_param(params, (*FUTURES_TYPES, *FUTURES_CONDITIONAL))
        if order_type in FUTURES_CONDITIONAL:
            raise PaperBinanceError(
                -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
            )
    # the algo endpoint names the trigger triggerPrice; stopPrice is accepted there too
    stop_name = "stopPrice" if not algo or (
        optional(params, "triggerPrice") is None and optional(params, "stopPrice") is not None) else "triggerPrice"
    needs = _FUTURES_NEEDS[order_type]
    close_position = bool_param(params, "closePosition")
    reduce_only = bool_param(params, "reduceOnly")
    if close_position and order_type not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
        raise PaperBinanceError(-1106, "Parameter 'closePosition' sent when not required.")
    _check_needs(params, order_type, needs, stop_name=stop_name)
    if close_position:
        if optional(params, "quantity") is not None:
            raise PaperBinanceError(-4137, "Quantity must be zero with closePosition equals true.")
        if optional(params, "reduceOnly") is not None:
            if not reduce_only:
                raise PaperBinanceError(-4138, "Reduce only must be true with closePosition equals true.")
            raise PaperBinanceError(-1106, "Parameter 'reduceOnly' sent when not required.")
    else:
        mandatory(params, "quantity")
    if order_type not in rules.order_types:
        raise PaperBinanceError(-1116, "Invalid orderType.")
    tif = _tif(params, order_type, FUTURES_TIF, needs[2])
    quantity = decimal_param(params, "quantity")
    price, stop = decimal_param(params, "price"), decimal_param(params, stop_name)
    _precision(rules, quantity=quantity, prices={"price": price, stop_name: stop})
    client_name = "clientAlgoId" if algo else "newClientOrderId"
    spec = OrderSpec(
        rules=rules, side=side, order_type=order_type, time_in_force=tif, quantity=quantity, quote_quantity=None,
        price=price, stop_price=stop, client_order_id=client_id_param(params, client_name),
        resp_type=_resp_type(params, ("ACK", "RESULT"), "ACK"), position_side=_position_side(params),
        reduce_only=reduce_only, close_position=close_position, last=last_price(rules.symbol),
    )
    check_filters(spec)
    return spec
