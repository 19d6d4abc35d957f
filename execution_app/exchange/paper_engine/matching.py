"""Matching and settlement: an order takes from the book, fills settle funds.

* ``order_take``: the taker part of a working order at placement or trigger
  (MARKET walks the book; a limit takes what the book holds up to its price).
* ``order_fill_resting``: a resting limit the price has reached fills as
  maker at its limit price, up to the depth the book holds at that price.
* ``trade_settle``: one fill. Spot moves base and quote (the order's locked
  funds pay for it) and charges commission in the asset received; futures
  moves the position, realizes P&L into the wallet and charges commission
  in USDT.

Callers hold the account lock (``ledger.account_lock``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from execution_app.exchange.filters import SymbolRules
from execution_app.exchange.paper_engine.book import (
    BookConfig,
    Take,
    book_depth_within,
    book_levels,
    book_take,
    book_take_quote,
)
from execution_app.exchange.paper_engine.ledger import (
    USDT,
    ZERO,
    balance_credit,
    balance_release,
    balance_spend_locked,
)
from execution_app.exchange.paper_engine.positions import position_amount, position_apply_trade
from execution_app.models_paper import PaperAccount, PaperOrder, PaperTrade

COMMISSION_PLACES = Decimal("1E-8")  # baseCommissionPrecision / quoteCommissionPrecision


def fee_rate(*, maker: bool) -> Decimal:
    return Decimal(settings.PAPER_MAKER_FEE_RATE if maker else settings.PAPER_TAKER_FEE_RATE)


def commission_for(rules: SymbolRules, *, side: str, quantity: Decimal, price: Decimal, maker: bool) -> tuple[
    Decimal, str
]:
    """(commission, asset). Spot charges the asset received (base on a BUY,
    quote on a SELL); futures charges the margin asset on the notional."""
    rate = fee_rate(maker=maker)
    if rules.market == "spot" and side == "BUY":
        amount, asset = quantity * rate, rules.base_asset
    else:
        amount, asset = quantity * price * rate, (rules.margin_asset or rules.quote_asset)
    return amount.quantize(COMMISSION_PLACES, rounding=ROUND_HALF_UP), asset


def take_from_book(
    rules: SymbolRules, *, side: str, last: Decimal, quantity: Decimal | None, limit: Decimal | None,
    quote: Decimal | None = None,
) -> list[Take]:
    """What a taker gets from the book now: by quantity, or (spot MARKET) by quote amount."""
    levels = book_levels(rules, last=last, taker_side=side, config=BookConfig.from_settings())
    if quote is not None:
        return book_take_quote(levels, quote=quote, step=max(rules.step_size, rules.market_step_size))
    assert quantity is not None
    return book_take(levels, quantity=quantity, limit=limit, taker_side=side)


def depth_at(rules: SymbolRules, *, side: str, last: Decimal, limit: Decimal) -> Decimal:
    levels = book_levels(rules, last=last, taker_side=side, config=BookConfig.from_settings())
    return book_depth_within(levels, limit=limit, taker_side=side)


def trade_settle(
    order: PaperOrder, rules: SymbolRules, *, price: Decimal, quantity: Decimal, maker: bool
) -> PaperTrade:
    """Record one fill of ``order`` and move the account's funds for it."""
    account: PaperAccount = order.account
    commission, asset = commission_for(rules, side=order.side, quantity=quantity, price=price, maker=maker)
    quote = price * quantity
    realized = ZERO
    if rules.market == "spot":
        if order.side == "BUY":
            # The order's lock pays; a limit locked at its limit price gets the difference back.
            unit = order.price if order.locked_amount and order.price is not None else price
            paid_from_lock = min(order.locked_amount, quantity * unit)
            balance_spend_locked(account, rules.quote_asset, paid_from_lock)
            balance_credit(account, rules.quote_asset, paid_from_lock - quote)
            order.locked_amount -= paid_from_lock
            balance_credit(account, rules.base_asset, quantity - commission)
        else:
            from_lock = min(order.locked_amount, quantity)
            balance_spend_locked(account, rules.base_asset, from_lock)
            balance_credit(account, rules.base_asset, from_lock - quantity)
            order.locked_amount -= from_lock
            balance_credit(account, rules.quote_asset, quote - commission)
    else:
        realized = position_apply_trade(
            account, symbol=order.symbol, side=order.side, position_side=order.position_side or "BOTH",
            quantity=quantity, price=price,
        )
        balance_credit(account, USDT, realized - commission)
    order.executed_quantity += quantity
    order.cumulative_quote += quote
    order.status = "FILLED" if order.executed_quantity >= order.quantity else "PARTIALLY_FILLED"
    if order.status == "FILLED" and order.locked_amount:
        # a limit that filled below its price, or an OCO leg holding for both legs
        balance_release(account, order.locked_asset, order.locked_amount)
        order.locked_amount = ZERO
    order.save()
    return PaperTrade.objects.create(
        order=order, account=account, symbol=order.symbol, side=order.side, position_side=order.position_side,
        price=price, quantity=quantity, quote_quantity=quote, commission=commission, commission_asset=asset,
        is_maker=maker, realized_pnl=realized,
    )


def reduce_only_cap(order: PaperOrder) -> Decimal:
    """How much of a futures reduce-only / closing order may still execute: never
    more than the position it closes (0 when there is nothing to close)."""
    position_side = order.position_side or "BOTH"
    amount = position_amount(order.account, order.symbol, position_side)
    closing = (order.side == "SELL" and amount > 0) or (order.side == "BUY" and amount < 0)
    return abs(amount) if closing else ZERO


def _closes_only(order: PaperOrder) -> bool:
    return order.reduce_only or order.close_position or (
        order.position_side == "LONG" and order.side == "SELL") or (
        order.position_side == "SHORT" and order.side == "BUY")


def order_take(order: PaperOrder, rules: SymbolRules, *, last: Decimal, quote: Decimal | None = None) -> list[
    PaperTrade
]:
    """The taker part of a working order, now. Limits take up to their price."""
    wanted = order.remaining
    if rules.market == "usdm" and _closes_only(order):
        wanted = min(wanted, reduce_only_cap(order))
    if wanted <= 0 and quote is None:
        return []
    limit = order.price if order.order_type not in ("MARKET", "STOP_LOSS", "TAKE_PROFIT") else None
    takes = take_from_book(rules, side=order.side, last=last, quantity=wanted, limit=limit, quote=quote)
    if quote is not None:
        # quoteOrderQty: the quantity is what the quote bought, known only now
        order.quantity = sum((t.quantity for t in takes), ZERO)
    return [trade_settle(order, rules, price=t.price, quantity=t.quantity, maker=False) for t in takes]


def order_fill_resting(order: PaperOrder, rules: SymbolRules, *, last: Decimal) -> list[PaperTrade]:
    """A resting limit reached by the price fills as maker, at its limit price,
    up to the depth the book holds at that price this tick."""
    assert order.price is not None
    available = depth_at(rules, side=order.side, last=last, limit=order.price)
    wanted = order.remaining
    if rules.market == "usdm" and _closes_only(order):
        wanted = min(wanted, reduce_only_cap(order))
    size = min(available, wanted)
    if size <= 0:
        return []
    return [trade_settle(order, rules, price=order.price, quantity=size, maker=True)]


def order_close(order: PaperOrder, rules: SymbolRules, *, status: str) -> None:
    """End an order (CANCELED / EXPIRED) and give back what it still holds."""
    if order.locked_amount:
        balance_release(order.account, order.locked_asset, order.locked_amount)
        order.locked_amount = ZERO
    order.status = status
    order.save()


def order_mark_working(order: PaperOrder) -> None:
    order.is_working = True
    order.working_at = timezone.now()
