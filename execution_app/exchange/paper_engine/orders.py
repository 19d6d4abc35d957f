"""The order endpoints: new, test, cancel, query, open, all, cancel all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from execution_app.exchange.filters import symbol_rules
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import account_lock, account_read
from execution_app.exchange.paper_engine.matching import order_close
from execution_app.exchange.paper_engine.oco import oco_cancel_report, oco_finish
from execution_app.exchange.paper_engine.params import (
    Params,
    client_id_param,
    int_param,
    limit_param,
    optional,
    optional_symbol,
    require_market,
    symbol_param,
)
from execution_app.exchange.paper_engine.placement import futures_place, spot_place
from execution_app.exchange.paper_engine.shapes import (
    futures_order,
    futures_trade,
    spot_ack,
    spot_cancel,
    spot_full,
    spot_query,
    spot_result,
    spot_trade,
    stored_exactly,
)
from execution_app.exchange.paper_engine.validate import parse_futures_order, parse_spot_order
from execution_app.models_paper import PAPER_OPEN_STATUSES, PaperAccount, PaperOrder, PaperTrade

UNKNOWN_ORDER = "Unknown order sent."
NO_SUCH_ORDER = "Order does not exist."
CANCEL_ALL_DONE = {"code": 200, "msg": "The operation of cancel all open order is done."}


def order_new(params: Params, *, market: str, account: str) -> dict[str, Any]:
    require_market(market)
    if market == "spot":
        spec = parse_spot_order(params)
        with transaction.atomic():
            locked = account_lock(account, market)
            order, trades = spot_place(locked, spec)
            if spec.resp_type == "ACK":
                return spot_ack(order)
            return spot_result(order) if spec.resp_type == "RESULT" else spot_full(order, trades)
    spec = parse_futures_order(params, algo=False)
    with transaction.atomic():
        locked = account_lock(account, market)
        order, ack, _ = futures_place(locked, spec, sent_reduce_only=optional(params, "reduceOnly") is not None)
        return ack if spec.resp_type == "ACK" and ack is not None else futures_order(order)


def order_place(
    params_for: Callable[[bool], Params], *, market: str, account: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``order_new`` for the in-process adapter: the parameters are built from
    the locked account's position mode (no separate mode query), and the answer
    is what a query of the order and myTrades by its orderId would return right
    after, without reading them back when what is in memory is what was stored."""
    require_market(market)
    with transaction.atomic():
        locked = account_lock(account, market)
        params = params_for(locked.dual_side_position)
        if market == "spot":
            order, trades = spot_place(locked, parse_spot_order(params))
        else:
            spec = parse_futures_order(params, algo=False)
            order, _, trades = futures_place(locked, spec, sent_reduce_only=optional(params, "reduceOnly") is not None)
        if not (stored_exactly(order) and all(stored_exactly(trade) for trade in trades)):
            # a value finer than the columns keep: answer what the database rounded it to
            order.refresh_from_db()
            trades = list(PaperTrade.objects.filter(order=order).order_by("pk"))
        for trade in trades:
            trade.order = order
        if market == "spot":
            return spot_query(order), [spot_trade(trade) for trade in trades]
        return futures_order(order, with_time=True), [futures_trade(trade) for trade in trades]


def order_test(params: Params, *, market: str, account: str) -> dict[str, Any]:
    require_market(market)
    if market == "spot":
        parse_spot_order(params)
    else:
        parse_futures_order(params, algo=False)
    return {}


def order_find(account: PaperAccount, params: Params, *, market: str) -> PaperOrder | None:
    """The order named by orderId or origClientOrderId (the newest with that id)."""
    rules = symbol_param(params, market=market)
    order_id = int_param(params, "orderId")
    client_id = optional(params, "origClientOrderId")
    if order_id is None and client_id is None:
        raise PaperBinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    found = PaperOrder.objects.filter(account=account, symbol=rules.symbol).select_related("account")
    if order_id is not None:
        found = found.filter(pk=order_id)
    if client_id is not None:
        found = found.filter(client_order_id=client_id)
    return found.order_by("-pk").first()


def order_cancel_locked(order: PaperOrder, *, market: str) -> None:
    """Cancel one open order on a locked account; an OCO leg takes its list with it."""
    if order.order_list_id:
        oco_finish(order.order_list, keep=None)
        order.refresh_from_db()
        return
    order_close(order, symbol_rules(order.symbol, market=market), status="CANCELED")


def order_cancel(params: Params, *, market: str, account: str) -> dict[str, Any]:
    require_market(market)
    cancel_id = client_id_param(params, "newClientOrderId")
    with transaction.atomic():
        locked = account_lock(account, market)
        order = order_find(locked, params, market=market)
        if order is None or order.status not in PAPER_OPEN_STATUSES:
            raise PaperBinanceError(-2011, UNKNOWN_ORDER)
        order_cancel_locked(order, market=market)
        if market == "spot":
            return spot_cancel(order, cancel_client_id=cancel_id or f"paper-cancel-{order.exchange_order_id}")
        return futures_order(order)


def order_query(params: Params, *, market: str, account: str | PaperAccount) -> dict[str, Any]:
    require_market(market)
    order = order_find(account_read(account, market), params, market=market)
    if order is None:
        raise PaperBinanceError(-2013, NO_SUCH_ORDER)
    return spot_query(order) if market == "spot" else futures_order(order, with_time=True)


def _shape(order: PaperOrder, market: str) -> dict[str, Any]:
    return spot_query(order) if market == "spot" else futures_order(order, with_time=True)


def orders_open(params: Params, *, market: str, account: str | PaperAccount) -> list[dict[str, Any]]:
    require_market(market)
    rules = optional_symbol(params, market=market)
    found = PaperOrder.objects.filter(account=account_read(account, market), status__in=PAPER_OPEN_STATUSES)
    if rules is not None:
        found = found.filter(symbol=rules.symbol)
    return [_shape(order, market) for order in found.order_by("pk")]


def orders_all(params: Params, *, market: str, account: str | PaperAccount) -> list[dict[str, Any]]:
    require_market(market)
    rules = symbol_param(params, market=market)
    found = PaperOrder.objects.filter(account=account_read(account, market), symbol=rules.symbol)
    from_id = int_param(params, "orderId")
    if from_id is not None:
        found = found.filter(pk__gte=from_id)
    limit = limit_param(params, default=500, maximum=1000)
    return [_shape(order, market) for order in found.order_by("pk")[:limit]]


def orders_cancel_all(params: Params, *, market: str, account: str) -> Any:
    require_market(market)
    rules = symbol_param(params, market=market)
    with transaction.atomic():
        locked = account_lock(account, market)
        open_orders = list(
            PaperOrder.objects.filter(account=locked, symbol=rules.symbol, status__in=PAPER_OPEN_STATUSES)
            .select_related("account").order_by("pk")
        )
        if market == "usdm":
            for order in open_orders:
                order_close(order, rules, status="CANCELED")
            return dict(CANCEL_ALL_DONE)
        if not open_orders:
            raise PaperBinanceError(-2011, UNKNOWN_ORDER)
        answers: list[dict[str, Any]] = []
        lists_done: set[int] = set()
        for order in open_orders:
            if order.order_list_id:
                if order.order_list_id not in lists_done:
                    lists_done.add(order.order_list_id)
                    answers.append(oco_cancel_report(order.order_list))
                continue
            order.refresh_from_db()
            if order.status in PAPER_OPEN_STATUSES:
                order_close(order, rules, status="CANCELED")
                answers.append(spot_cancel(order, cancel_client_id=f"paper-cancel-{order.exchange_order_id}"))
        return answers
