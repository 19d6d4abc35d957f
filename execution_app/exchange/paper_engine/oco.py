"""Spot OCO order lists: two legs, one cancels the other.

The quantity is held once, by the first working leg (or the first leg): for a
SELL the base quantity, for a BUY the quote at the higher of the two legs'
prices. When a leg fills or triggers, ``oco_finish`` cancels the other, which
gives the hold back; a triggered leg then holds what it needs itself.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from execution_app.exchange.filters import symbol_rules
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import ZERO, account_get, account_lock, balance_lock_funds
from execution_app.exchange.paper_engine.matching import order_close
from execution_app.exchange.paper_engine.params import (
    Params,
    client_id_param,
    int_param,
    mandatory,
    optional,
    require_market,
    side_param,
    symbol_param,
)
from execution_app.exchange.paper_engine.placement import order_row_create, refuse_duplicate, would_take
from execution_app.exchange.paper_engine.shapes import order_list, spot_cancel, spot_result
from execution_app.exchange.paper_engine.validate import OrderSpec, parse_spot_order, stop_triggered
from execution_app.models_paper import PAPER_OPEN_STATUSES, PaperAccount, PaperOrder, PaperOrderList

_ABOVE = {"SELL": ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"), "BUY": ("STOP_LOSS", "STOP_LOSS_LIMIT")}
_BELOW = {"SELL": ("STOP_LOSS", "STOP_LOSS_LIMIT"), "BUY": ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")}
_LEG_FIELDS = (("Price", "price"), ("StopPrice", "stopPrice"), ("TimeInForce", "timeInForce"),
               ("ClientOrderId", "newClientOrderId"))


def _from_legacy(params: Params) -> dict[str, str]:
    """POST /api/v3/order/oco (price, stopPrice, stopLimitPrice, ...) in the new form."""
    side = side_param(params)
    limit_leg = {"Type": "LIMIT_MAKER", "Price": mandatory(params, "price"),
                 "ClientOrderId": optional(params, "limitClientOrderId") or ""}
    stop_limit = optional(params, "stopLimitPrice")
    stop_leg = {"Type": "STOP_LOSS_LIMIT" if stop_limit else "STOP_LOSS", "StopPrice": mandatory(params, "stopPrice"),
                "Price": stop_limit or "", "TimeInForce": optional(params, "stopLimitTimeInForce") or "",
                "ClientOrderId": optional(params, "stopClientOrderId") or ""}
    above, below = (limit_leg, stop_leg) if side == "SELL" else (stop_leg, limit_leg)
    converted = {k: v for k, v in params.items() if k in ("symbol", "side", "quantity", "newOrderRespType")}
    converted["listClientOrderId"] = optional(params, "listClientOrderId") or ""
    for prefix, leg in (("above", above), ("below", below)):
        for key, value in leg.items():
            converted[prefix + key] = value
    return converted


def _leg_spec(params: Params, prefix: str, side: str, allowed: tuple[str, ...]) -> OrderSpec:
    leg_type = mandatory(params, prefix + "Type").upper()
    if leg_type not in allowed:
        raise PaperBinanceError(-2010, "Unsupported order combination")
    leg: dict[str, str] = {"symbol": mandatory(params, "symbol"), "side": side, "type": leg_type,
                           "quantity": mandatory(params, "quantity"), "newOrderRespType": "RESULT"}
    for suffix, name in _LEG_FIELDS:
        value = optional(params, prefix + suffix)
        if value is not None:
            leg[name] = value
    if leg_type in ("STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT") and "timeInForce" not in leg:
        leg["timeInForce"] = "GTC"
    return parse_spot_order(leg)


def _refuse_crossing(spec: OrderSpec) -> None:
    if spec.stop_price is not None and stop_triggered(
        order_type=spec.order_type, side=spec.side, stop=spec.stop_price, last=spec.last
    ):
        raise PaperBinanceError(-2010, "Order would trigger immediately.")
    if spec.order_type == "LIMIT_MAKER" and spec.price is not None and would_take(spec.side, spec.price, spec.last):
        raise PaperBinanceError(-2010, "Order would immediately match and take.")


def oco_new(params: Params, *, market: str, account: str) -> dict[str, Any]:
    if market != "spot":
        raise PaperBinanceError(-1121, "Invalid symbol.")
    if optional(params, "aboveType") is None and optional(params, "price") is not None:
        params = _from_legacy(params)
    rules = symbol_param(params, market=market)
    side = side_param(params)
    above = _leg_spec(params, "above", side, _ABOVE[side])
    below = _leg_spec(params, "below", side, _BELOW[side])
    list_client_id = client_id_param(params, "listClientOrderId")
    if above.client_order_id and above.client_order_id == below.client_order_id:
        raise PaperBinanceError(-2010, "Duplicate order sent.")
    for spec in (below, above):
        _refuse_crossing(spec)
    with transaction.atomic():
        locked = account_lock(account, market)
        for spec in (below, above):
            refuse_duplicate(locked, spec, spec.client_order_id)
        lst = PaperOrderList.objects.create(account=locked, symbol=rules.symbol,
                                            list_client_order_id=list_client_id or "")
        if not list_client_id:
            lst.list_client_order_id = f"paper-list-{lst.order_list_id}"
            lst.save(update_fields=["list_client_order_id"])
        legs = []
        for spec in (below, above):
            assert spec.quantity is not None
            leg = order_row_create(locked, spec, quantity=spec.quantity)
            leg.order_list = lst
            leg.save(update_fields=["order_list"])
            legs.append(leg)
        _hold_once(locked, legs, side=side, base=rules.base_asset, quote=rules.quote_asset)
        answer = order_list(lst, legs)
        answer["orderReports"] = [spot_result(leg) for leg in legs]
        return answer


def _hold_once(account: PaperAccount, legs: list[PaperOrder], *, side: str, base: str, quote: str) -> None:
    holder = next((leg for leg in legs if leg.is_working), legs[0])
    if side == "SELL":
        asset, amount = base, holder.quantity
    else:
        asset = quote
        amount = max(leg.quantity * (leg.price if leg.price is not None else leg.stop_price or ZERO) for leg in legs)
    balance_lock_funds(account, asset, amount)
    holder.locked_asset, holder.locked_amount = asset, amount
    holder.save(update_fields=["locked_asset", "locked_amount", "updated_at"])


def oco_finish(lst: PaperOrderList, *, keep: PaperOrder | None) -> list[PaperOrder]:
    """Cancel every open leg except ``keep`` (the one that filled or triggered);
    the list is done. Returns the legs cancelled."""
    rules = symbol_rules(lst.symbol, market="spot")
    cancelled = []
    for leg in lst.orders.select_related("account").order_by("pk"):
        if keep is not None and leg.pk == keep.pk:
            continue
        if leg.status in PAPER_OPEN_STATUSES:
            order_close(leg, rules, status="CANCELED")
            cancelled.append(leg)
    lst.list_status_type = lst.list_order_status = "ALL_DONE"
    lst.save(update_fields=["list_status_type", "list_order_status"])
    return cancelled


def oco_cancel_report(lst: PaperOrderList) -> dict[str, Any]:
    """Cancel the whole list; Binance's DELETE /api/v3/orderList answer."""
    oco_finish(lst, keep=None)
    legs = list(lst.orders.order_by("pk"))
    answer = order_list(lst, legs)
    answer["orderReports"] = [
        spot_cancel(leg, cancel_client_id=f"paper-cancel-{leg.exchange_order_id}") for leg in legs
    ]
    return answer


def _find_list(account: PaperAccount, params: Params, *, id_name: str, client_name: str) -> PaperOrderList | None:
    list_id = int_param(params, id_name)
    client_id = optional(params, client_name)
    if list_id is None and client_id is None:
        raise PaperBinanceError(-1102, f"Param '{id_name}' or '{client_name}' must be sent, but both were empty/null!")
    found = PaperOrderList.objects.filter(account=account)
    if list_id is not None:
        found = found.filter(pk=list_id)
    if client_id is not None:
        found = found.filter(list_client_order_id=client_id)
    return found.order_by("-pk").first()


def oco_query(params: Params, *, market: str, account: str) -> dict[str, Any]:
    require_market(market)
    lst = _find_list(account_get(account, market), params, id_name="orderListId", client_name="origClientOrderId")
    if lst is None:
        raise PaperBinanceError(-2013, "Order list does not exist.")
    return order_list(lst, list(lst.orders.order_by("pk")))


def oco_cancel(params: Params, *, market: str, account: str) -> dict[str, Any]:
    require_market(market)
    symbol_param(params, market=market)
    with transaction.atomic():
        locked = account_lock(account, market)
        lst = _find_list(locked, params, id_name="orderListId", client_name="listClientOrderId")
        if lst is None or lst.list_status_type == "ALL_DONE":
            raise PaperBinanceError(-2011, "Unknown order list sent.")
        return oco_cancel_report(lst)


def oco_open(params: Params, *, market: str, account: str) -> list[dict[str, Any]]:
    require_market(market)
    lists = PaperOrderList.objects.filter(account=account_get(account, market), list_status_type="EXEC_STARTED")
    return [order_list(lst, list(lst.orders.order_by("pk"))) for lst in lists.order_by("pk")]
