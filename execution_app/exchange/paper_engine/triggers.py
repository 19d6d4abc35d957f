"""engine_on_price: the market moved; fill what rests, fire what waits.

Per account that has anything open on the symbol, one transaction under the
account lock, oldest order first: resting limits the price reached fill as
maker; spot stops whose stop it crossed start working (and take from the
book); futures algo orders whose trigger it crossed place their order. An
OCO leg that fills or triggers cancels its sibling. A reduce-only futures
order with nothing left to reduce expires, as Binance cancels them when the
position closes.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from execution_app.exchange.filters import SymbolRules, UnknownSymbol, symbol_rules
from execution_app.exchange.paper_engine.algo import algo_trigger
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import ZERO, balance_release
from execution_app.exchange.paper_engine.matching import order_close, order_fill_resting, reduce_only_cap
from execution_app.exchange.paper_engine.oco import oco_finish
from execution_app.exchange.paper_engine.placement import order_work, spot_hold
from execution_app.exchange.paper_engine.validate import stop_triggered
from execution_app.models_paper import PAPER_OPEN_STATUSES, PaperAccount, PaperAlgoOrder, PaperOrder


def on_price(symbol: str, price: Decimal, *, market: str | None) -> list[str]:
    if price <= 0:
        raise ValueError(f"price must be positive, got {price}")
    symbol = symbol.upper()
    changed: list[str] = []
    for each in (market,) if market else ("spot", "usdm"):
        try:
            rules = symbol_rules(symbol, market=each)
        except UnknownSymbol:
            continue
        account_ids = set(
            PaperOrder.objects.filter(symbol=symbol, status__in=PAPER_OPEN_STATUSES, account__market=each)
            .values_list("account_id", flat=True)
        ) | set(
            PaperAlgoOrder.objects.filter(symbol=symbol, status="NEW", account__market=each)
            .values_list("account_id", flat=True)
        )
        for account_id in sorted(account_ids):
            with transaction.atomic():
                account = PaperAccount.objects.select_for_update().get(pk=account_id)
                changed += _account_tick(account, rules, price)
    return changed


def _account_tick(account: PaperAccount, rules: SymbolRules, price: Decimal) -> list[str]:
    changed: list[str] = []
    order_ids = list(
        PaperOrder.objects.filter(account=account, symbol=rules.symbol, status__in=PAPER_OPEN_STATUSES)
        .order_by("pk").values_list("pk", flat=True)
    )
    for order_id in order_ids:
        # re-read: an earlier order this tick may have cancelled this one (OCO)
        order = PaperOrder.objects.select_related("account", "order_list").get(pk=order_id)
        if order.status in PAPER_OPEN_STATUSES and _order_tick(order, rules, price):
            changed.append(order.client_order_id)
    for algo in PaperAlgoOrder.objects.filter(account=account, symbol=rules.symbol, status="NEW").order_by("pk"):
        algo.account = account
        if stop_triggered(order_type=algo.order_type, side=algo.side, stop=algo.trigger_price, last=price):
            algo_trigger(algo, rules, last=price)
            changed.append(algo.client_algo_id)
    return changed


def _order_tick(order: PaperOrder, rules: SymbolRules, price: Decimal) -> bool:
    """Advance one open order; True if anything about it changed."""
    if rules.market == "usdm" and (order.reduce_only or order.close_position) and reduce_only_cap(order) <= 0:
        order_close(order, rules, status="EXPIRED")
        return True
    if not order.is_working:
        assert order.stop_price is not None
        if not stop_triggered(order_type=order.order_type, side=order.side, stop=order.stop_price, last=price):
            return False
        _spot_trigger(order, rules, price)
        return True
    if order.price is None:
        return False  # a working market order never rests
    if not order_fill_resting(order, rules, last=price):
        return False
    if order.order_list_id:
        oco_finish(order.order_list, keep=order)
    return True


def _spot_trigger(order: PaperOrder, rules: SymbolRules, price: Decimal) -> None:
    """A spot stop / take-profit fires: it gives back its hold, its OCO sibling
    is cancelled, then it holds what it needs as a working order and works."""
    if order.locked_amount:
        balance_release(order.account, order.locked_asset, order.locked_amount)
        order.locked_amount = ZERO
    order.is_working = True
    order.working_at = timezone.now()
    order.save()
    if order.order_list_id:
        oco_finish(order.order_list, keep=order)
    try:
        spot_hold(order, rules, last=price)
    except PaperBinanceError:
        order_close(order, rules, status="EXPIRED")  # the funds are gone: nothing to trade with
        return
    order_work(order, rules, last=price)
