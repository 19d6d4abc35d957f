"""Futures conditional orders (/fapi/v1/algoOrder) and what happens when they trigger.

An algo order holds no margin while it waits (as on Binance). When the price
crosses its trigger, ``algo_trigger`` places the real order: MARKET for
STOP_MARKET / TAKE_PROFIT_MARKET, LIMIT for STOP / TAKE_PROFIT, under the
algo's client id, and lets it work. A closePosition or reduce-only algo with
nothing left to close expires instead; one whose opening part no longer has
margin is rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from execution_app.exchange.filters import SymbolRules
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import account_lock, account_read
from execution_app.exchange.paper_engine.orders import CANCEL_ALL_DONE
from execution_app.exchange.paper_engine.params import (
    Params,
    int_param,
    optional,
    optional_symbol,
    require_market,
    symbol_param,
)
from execution_app.exchange.paper_engine.placement import (
    client_id_in_use,
    futures_check_margin,
    futures_check_position_side,
    futures_closable,
    order_work,
)
from execution_app.exchange.paper_engine.shapes import algo_order, algo_with_actual, stored_exactly
from execution_app.exchange.paper_engine.validate import OrderSpec, parse_futures_order, stop_triggered
from execution_app.models_paper import PaperAccount, PaperAlgoOrder, PaperOrder

_CHILD_TYPE = {"STOP_MARKET": "MARKET", "TAKE_PROFIT_MARKET": "MARKET", "STOP": "LIMIT", "TAKE_PROFIT": "LIMIT"}


def _usdm(market: str) -> None:
    require_market(market)
    if market != "usdm":
        raise PaperBinanceError(-1121, "Invalid symbol.")


def algo_new(params: Params, *, market: str, account: str) -> dict[str, Any]:
    _usdm(market)
    spec = parse_futures_order(params, algo=True)
    assert spec.stop_price is not None
    if stop_triggered(order_type=spec.order_type, side=spec.side, stop=spec.stop_price, last=spec.last):
        raise PaperBinanceError(-2021, "Order would immediately trigger.")
    with transaction.atomic():
        locked = account_lock(account, market)
        return algo_order(_algo_create(locked, spec, params))


def algo_place(params_for: Callable[[bool], Params], *, market: str, account: str) -> dict[str, Any]:
    """``algo_new`` for the in-process adapter: the parameters are built from
    the locked account's position mode, so the mode is not queried apart. The
    answer is what a query right after would show."""
    _usdm(market)
    with transaction.atomic():
        locked = account_lock(account, market)
        params = params_for(locked.dual_side_position)
        spec = parse_futures_order(params, algo=True)
        assert spec.stop_price is not None
        if stop_triggered(order_type=spec.order_type, side=spec.side, stop=spec.stop_price, last=spec.last):
            raise PaperBinanceError(-2021, "Order would immediately trigger.")
        algo = _algo_create(locked, spec, params)
        if not stored_exactly(algo):
            algo.refresh_from_db()  # a value finer than the columns keep: answer what was stored
        return algo_order(algo)


def _algo_create(locked: PaperAccount, spec: OrderSpec, params: Params) -> PaperAlgoOrder:
    futures_check_position_side(locked, spec, sent_reduce_only=optional(params, "reduceOnly") is not None)
    if spec.client_order_id and PaperAlgoOrder.objects.filter(
        account=locked, symbol=spec.rules.symbol, client_algo_id=spec.client_order_id, status="NEW"
    ).exists():
        raise PaperBinanceError(-4116, "clientOrderId is duplicated.")
    algo = PaperAlgoOrder.objects.create(
        account=locked, client_algo_id=spec.client_order_id or "", symbol=spec.rules.symbol, side=spec.side,
        position_side=spec.position_side, order_type=spec.order_type, time_in_force=spec.time_in_force,
        quantity=spec.quantity, price=spec.price, trigger_price=spec.stop_price,
        working_type=(optional(params, "workingType") or "CONTRACT_PRICE").upper(),
        close_position=spec.close_position, reduce_only=spec.reduce_only,
        price_protect=(optional(params, "priceProtect") or "").lower() == "true",
    )
    if not spec.client_order_id:
        algo.client_algo_id = f"paper-algo-{algo.algo_id}"
        algo.save(update_fields=["client_algo_id"])
    return algo


def _find(account: PaperAccount, params: Params) -> PaperAlgoOrder | None:
    algo_id = int_param(params, "algoId")
    client_id = optional(params, "clientAlgoId")
    if algo_id is None and client_id is None:
        raise PaperBinanceError(-1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!")
    found = PaperAlgoOrder.objects.filter(account=account).select_related("actual_order")
    if algo_id is not None:
        found = found.filter(pk=algo_id)
    if client_id is not None:
        found = found.filter(client_algo_id=client_id)
    return found.order_by("-pk").first()


def algo_query(params: Params, *, market: str, account: str | PaperAccount) -> dict[str, Any]:
    _usdm(market)
    algo = _find(account_read(account, market), params)
    if algo is None:
        raise PaperBinanceError(-2013, "Order does not exist.")
    return algo_with_actual(algo)


def algo_cancel(params: Params, *, market: str, account: str) -> dict[str, Any]:
    _usdm(market)
    with transaction.atomic():
        locked = account_lock(account, market)
        algo = _find(locked, params)
        if algo is None or algo.status != "NEW":
            raise PaperBinanceError(-2011, "Unknown order sent.")
        algo.status = "CANCELED"
        algo.save(update_fields=["status", "updated_at"])
        return {"algoId": algo.algo_id, "clientAlgoId": algo.client_algo_id, "code": "200", "msg": "success"}


def algo_open(params: Params, *, market: str, account: str | PaperAccount) -> list[dict[str, Any]]:
    _usdm(market)
    rules = optional_symbol(params, market=market)
    found = PaperAlgoOrder.objects.filter(account=account_read(account, market), status="NEW")
    if rules is not None:
        found = found.filter(symbol=rules.symbol)
    return [algo_order(algo) for algo in found.order_by("pk")]


def algo_cancel_all(params: Params, *, market: str, account: str) -> dict[str, Any]:
    _usdm(market)
    rules = symbol_param(params, market=market)
    with transaction.atomic():
        locked = account_lock(account, market)
        PaperAlgoOrder.objects.filter(account=locked, symbol=rules.symbol, status="NEW").update(
            status="CANCELED", updated_at=timezone.now()
        )
    return dict(CANCEL_ALL_DONE)


def _child_spec(algo: PaperAlgoOrder, rules: SymbolRules, *, last: Decimal, quantity: Decimal) -> OrderSpec:
    return OrderSpec(
        rules=rules, side=algo.side, order_type=_CHILD_TYPE[algo.order_type], time_in_force=algo.time_in_force,
        quantity=quantity, quote_quantity=None, price=algo.price, stop_price=None,
        client_order_id=algo.client_algo_id, resp_type="RESULT", position_side=algo.position_side,
        reduce_only=algo.reduce_only, close_position=algo.close_position, last=last,
    )


def algo_trigger(algo: PaperAlgoOrder, rules: SymbolRules, *, last: Decimal) -> PaperOrder | None:
    """Fire a NEW algo order whose trigger the price crossed (account locked)."""
    account = algo.account
    algo.triggered_at = timezone.now()
    closable = futures_closable(account, _child_spec(algo, rules, last=last, quantity=algo.quantity or Decimal(0)))
    quantity = algo.quantity if algo.quantity is not None else (closable or Decimal(0))
    if (closable is not None and closable <= 0) or quantity <= 0:
        algo.status = "EXPIRED"
        algo.save(update_fields=["status", "triggered_at", "updated_at"])
        return None
    spec = _child_spec(algo, rules, last=last, quantity=quantity)
    basis = algo.price or last
    try:
        if client_id_in_use(account, rules.symbol, algo.client_algo_id):
            raise PaperBinanceError(-4116, "clientOrderId is duplicated.")
        futures_check_margin(account, spec, quantity=quantity, basis=basis)
    except PaperBinanceError:
        algo.status = "REJECTED"
        algo.save(update_fields=["status", "triggered_at", "updated_at"])
        return None
    order = PaperOrder.objects.create(
        account=account, client_order_id=algo.client_algo_id, symbol=algo.symbol, side=algo.side,
        order_type=spec.order_type, orig_type=algo.order_type, time_in_force=algo.time_in_force
        if spec.order_type == "LIMIT" else "", quantity=quantity, price=algo.price, stop_price=algo.trigger_price,
        status="NEW", position_side=algo.position_side, reduce_only=algo.reduce_only,
        close_position=algo.close_position, is_working=True, working_at=algo.triggered_at,
    )
    algo.status = "TRIGGERED"
    algo.actual_order = order
    algo.save(update_fields=["status", "actual_order", "triggered_at", "updated_at"])
    order_work(order, rules, last=last)
    return order

