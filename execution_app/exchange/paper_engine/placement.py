"""Placing a validated order on a locked account, and making an order work.

``order_place`` runs the account-dependent checks (duplicate client id,
would-trigger, post-only, FOK, balance or margin, reduce-only), writes the
order, and lets it work. ``order_work`` is shared with triggers: a working
order takes from the book, then its remainder rests (GTC limits) or expires
(MARKET, IOC, FOK).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from execution_app.exchange.filters import SymbolRules
from execution_app.exchange.paper_engine.errors import PaperBinanceError
from execution_app.exchange.paper_engine.ledger import ZERO, balance_lock_funds
from execution_app.exchange.paper_engine.matching import (
    depth_at,
    order_close,
    order_take,
    reduce_only_cap,
    take_from_book,
)
from execution_app.exchange.paper_engine.positions import (
    held_amounts,
    margin_state,
    opening_quantity,
    position_amount,
    positions_held,
    symbol_setting,
    symbol_settings_by_symbol,
)
from execution_app.exchange.paper_engine.shapes import futures_ack
from execution_app.exchange.paper_engine.validate import MARKET_LIKE, OrderSpec, stop_triggered
from execution_app.models_paper import PAPER_OPEN_STATUSES, PaperAccount, PaperOrder, PaperTrade

MARGIN_INSUFFICIENT = "Margin is insufficient."
REDUCE_ONLY_REJECTED = "ReduceOnly Order is rejected."


def client_id_in_use(account: PaperAccount, symbol: str, client_order_id: str) -> bool:
    return PaperOrder.objects.filter(
        account=account, symbol=symbol, client_order_id=client_order_id, status__in=PAPER_OPEN_STATUSES
    ).exists()


def refuse_duplicate(account: PaperAccount, spec: OrderSpec, client_order_id: str | None) -> None:
    if client_order_id and client_id_in_use(account, spec.rules.symbol, client_order_id):
        if spec.market == "spot":
            raise PaperBinanceError(-2010, "Duplicate order sent.")
        raise PaperBinanceError(-4116, "clientOrderId is duplicated.")


def would_take(side: str, price: Decimal, last: Decimal) -> bool:
    """A limit at ``price`` crosses the synthetic book (whose best level is the last price)."""
    return price >= last if side == "BUY" else price <= last


def spot_lock(order: PaperOrder, rules: SymbolRules, *, last: Decimal, quote: Decimal | None = None) -> tuple[
    str, Decimal
]:
    """(asset, amount) a spot order must hold in its current form."""
    if order.side == "SELL":
        if quote is not None:
            takes = take_from_book(rules, side="SELL", last=last, quantity=None, limit=None, quote=quote)
            return rules.base_asset, sum((t.quantity for t in takes), ZERO)
        return rules.base_asset, order.remaining
    if order.order_type == "MARKET" or (order.is_working and order.order_type in MARKET_LIKE):
        takes = take_from_book(rules, side="BUY", last=last, quantity=None if quote else order.remaining,
                               limit=None, quote=quote)
        return rules.quote_asset, sum((t.price * t.quantity for t in takes), ZERO)
    unit = order.price if order.price is not None else order.stop_price
    assert unit is not None
    return rules.quote_asset, order.remaining * unit


def spot_hold(order: PaperOrder, rules: SymbolRules, *, last: Decimal, quote: Decimal | None = None) -> None:
    """Lock what the order needs, or -2010 insufficient balance."""
    asset, amount = spot_lock(order, rules, last=last, quote=quote)
    balance_lock_funds(order.account, asset, amount)
    order.locked_asset, order.locked_amount = asset, amount
    order.save(update_fields=["locked_asset", "locked_amount", "updated_at"])


def order_work(order: PaperOrder, rules: SymbolRules, *, last: Decimal, quote: Decimal | None = None) -> list[
    PaperTrade
]:
    """A working order takes now; then its remainder rests or expires."""
    if order.time_in_force == "FOK" and order.price is not None:
        wanted = order.remaining
        if depth_at(rules, side=order.side, last=last, limit=order.price) < wanted:
            order_close(order, rules, status="EXPIRED")
            return []
    trades = order_take(order, rules, last=last, quote=quote)
    if order.quantity <= 0:  # a quoteOrderQty too small to buy a single step
        order_close(order, rules, status="EXPIRED")
    elif order.remaining > 0 and order.status in PAPER_OPEN_STATUSES:
        rests = order.order_type not in MARKET_LIKE and order.time_in_force in ("GTC", "GTX", "")
        if rules.market == "usdm" and order.reduce_only and reduce_only_cap(order) <= 0:
            rests = False  # nothing left to reduce
        if not rests:
            order_close(order, rules, status="EXPIRED")
    return trades


def order_row_create(account: PaperAccount, spec: OrderSpec, *, quantity: Decimal) -> PaperOrder:
    now = timezone.now()
    order = PaperOrder.objects.create(
        account=account, client_order_id=spec.client_order_id or "", symbol=spec.rules.symbol, side=spec.side,
        order_type=spec.order_type, time_in_force=spec.time_in_force, quantity=quantity, price=spec.price,
        stop_price=spec.stop_price, status="NEW", position_side=spec.position_side if spec.market == "usdm" else "",
        reduce_only=spec.reduce_only, close_position=spec.close_position,
        is_working=not spec.is_stop, working_at=None if spec.is_stop else now,
    )
    if not spec.client_order_id:
        order.client_order_id = f"paper-{order.exchange_order_id}"
        order.save(update_fields=["client_order_id"])
    return order


def spot_place(account: PaperAccount, spec: OrderSpec) -> tuple[PaperOrder, list[PaperTrade]]:
    rules, last = spec.rules, spec.last
    refuse_duplicate(account, spec, spec.client_order_id)
    if spec.stop_price is not None and stop_triggered(
        order_type=spec.order_type, side=spec.side, stop=spec.stop_price, last=last
    ):
        raise PaperBinanceError(-2010, "Order would trigger immediately.")
    if spec.order_type == "LIMIT_MAKER" and spec.price is not None and would_take(spec.side, spec.price, last):
        raise PaperBinanceError(-2010, "Order would immediately match and take.")
    order = order_row_create(account, spec, quantity=spec.quantity if spec.quantity is not None else ZERO)
    spot_hold(order, rules, last=last, quote=spec.quote_quantity)
    if not order.is_working:
        return order, []
    return order, order_work(order, rules, last=last, quote=spec.quote_quantity)


def futures_check_position_side(account: PaperAccount, spec: OrderSpec, *, sent_reduce_only: bool) -> None:
    dual = account.dual_side_position
    if dual != (spec.position_side in ("LONG", "SHORT")):
        raise PaperBinanceError(-4061, "Order's position side does not match user's setting.")
    if dual and sent_reduce_only:
        raise PaperBinanceError(-1106, "Parameter 'reduceOnly' sent when not required.")
    if dual and spec.close_position and (
        (spec.position_side == "LONG" and spec.side == "BUY") or (spec.position_side == "SHORT" and spec.side == "SELL")
    ):
        raise PaperBinanceError(-4136, f"Target strategy invalid for orderType {spec.order_type},closePosition true")


def futures_closable(account: PaperAccount, spec: OrderSpec) -> Decimal | None:
    """How much the order may close, when it may only close (else None)."""
    side, ps = spec.side, spec.position_side
    closes_only = spec.reduce_only or spec.close_position or (ps == "LONG" and side == "SELL") or (
        ps == "SHORT" and side == "BUY")
    if not closes_only:
        return None
    amount = position_amount(account, spec.rules.symbol, ps)
    closing = (side == "SELL" and amount > 0) or (side == "BUY" and amount < 0)
    return abs(amount) if closing else ZERO


def futures_check_margin(account: PaperAccount, spec: OrderSpec, *, quantity: Decimal, basis: Decimal) -> None:
    reduce_only = spec.reduce_only or spec.close_position
    # One read of the positions and of the settings serves both the opening part and the margin state.
    held = None if reduce_only or spec.position_side in ("LONG", "SHORT") else positions_held(account)
    opening = opening_quantity(
        account, symbol=spec.rules.symbol, side=spec.side, position_side=spec.position_side,
        reduce_only=reduce_only, quantity=quantity, held=held_amounts(held) if held is not None else None,
    )
    if opening <= 0:
        return
    settings_by_symbol = symbol_settings_by_symbol(account)
    setting = settings_by_symbol.get(spec.rules.symbol)
    if setting is None:
        # The order creates the symbol's settings row (positionRisk v2 lists it from now on).
        setting = settings_by_symbol[spec.rules.symbol] = symbol_setting(account, spec.rules.symbol)
    state = margin_state(account, held=held, settings_by_symbol=settings_by_symbol)
    if opening * basis / setting.leverage > state.available:
        raise PaperBinanceError(-2019, MARGIN_INSUFFICIENT)


def futures_place(account: PaperAccount, spec: OrderSpec, *, sent_reduce_only: bool) -> tuple[
    PaperOrder, dict[str, object] | None, list[PaperTrade]
]:
    """A futures MARKET or LIMIT order. Returns (order, its ACK snapshot, trades)."""
    rules, last = spec.rules, spec.last
    assert spec.quantity is not None
    refuse_duplicate(account, spec, spec.client_order_id)
    futures_check_position_side(account, spec, sent_reduce_only=sent_reduce_only)
    closable = futures_closable(account, spec)
    if closable is not None and (closable <= 0 or (spec.position_side != "BOTH" and spec.quantity > closable)):
        raise PaperBinanceError(-2022, REDUCE_ONLY_REJECTED)
    if spec.price is not None and spec.time_in_force == "GTX" and would_take(spec.side, spec.price, last):
        raise PaperBinanceError(
            -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected. "
                   "The order will not be recorded in the order history",
        )
    if spec.price is not None and spec.time_in_force == "FOK" and depth_at(
        rules, side=spec.side, last=last, limit=spec.price
    ) < spec.quantity:
        raise PaperBinanceError(
            -5021, "Due to the order could not be filled immediately, the FOK order has been rejected. "
                   "The order will not be recorded in the order history",
        )
    if spec.price is not None:
        basis = spec.price
    else:
        takes = take_from_book(rules, side=spec.side, last=last, quantity=spec.quantity, limit=None)
        filled = sum((t.quantity for t in takes), ZERO)
        basis = sum((t.price * t.quantity for t in takes), ZERO) / filled if filled else last
    futures_check_margin(account, spec, quantity=spec.quantity, basis=basis)
    order = order_row_create(account, spec, quantity=spec.quantity)
    ack = futures_ack(order)
    return order, ack, order_work(order, rules, last=last)

