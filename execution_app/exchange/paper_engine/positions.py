"""Futures positions, wallet and margin, as USD-M keeps them (without liquidation).

* A fill that adds to a position moves the entry to the size-weighted average;
  one that reduces it realizes ``(price - entry) x closed`` (sign by side)
  into the wallet; one that crosses zero (one-way mode) closes and opens the
  rest at the fill price.
* Initial margin is notional / leverage at the last price. Available balance
  = wallet + unrealized P&L of cross positions - initial margin of positions
  - initial margin of open orders that would open exposure. An order whose
  opening part needs more than that is refused with -2019.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from execution_app.exchange.paper_engine.ledger import USDT, ZERO, balance_row
from execution_app.models_paper import (
    PAPER_OPEN_STATUSES,
    PaperAccount,
    PaperOrder,
    PaperPosition,
    PaperSymbolSetting,
)
from petrosa.core.errors import Unprocessable
from petrosa.core.market import price_latest

ENTRY_PLACES = Decimal("1E-8")
MAX_LEVERAGE = 125


def symbol_setting(account: PaperAccount, symbol: str) -> PaperSymbolSetting:
    row, _ = PaperSymbolSetting.objects.get_or_create(account=account, symbol=symbol)
    return row


def symbol_setting_peek(account: PaperAccount, symbol: str) -> PaperSymbolSetting:
    """The symbol's settings for reading: Binance's defaults (unsaved) if never changed."""
    row = PaperSymbolSetting.objects.filter(account=account, symbol=symbol).first()
    return row or PaperSymbolSetting(account=account, symbol=symbol)


def position_row(account: PaperAccount, symbol: str, position_side: str) -> PaperPosition:
    row, _ = PaperPosition.objects.get_or_create(account=account, symbol=symbol, position_side=position_side)
    return row


def position_amount(account: PaperAccount, symbol: str, position_side: str) -> Decimal:
    row = PaperPosition.objects.filter(account=account, symbol=symbol, position_side=position_side).first()
    return row.amount if row else ZERO


def position_apply_trade(
    account: PaperAccount, *, symbol: str, side: str, position_side: str, quantity: Decimal, price: Decimal
) -> Decimal:
    """Apply one fill to the position; returns the P&L it realized (before fees)."""
    row = position_row(account, symbol, position_side)
    signed = quantity if side == "BUY" else -quantity
    amount, entry = row.amount, row.entry_price
    realized = ZERO
    if amount == 0 or (amount > 0) == (signed > 0):
        new_amount = amount + signed
        row.entry_price = ((abs(amount) * entry + quantity * price) / abs(new_amount)).quantize(ENTRY_PLACES)
    else:
        closed = min(quantity, abs(amount))
        direction = 1 if amount > 0 else -1
        realized = (price - entry) * closed * direction
        new_amount = amount + signed
        if new_amount == 0:
            row.entry_price = ZERO
        elif (new_amount > 0) != (amount > 0):
            row.entry_price = price  # flipped: the rest opened at this fill
    row.amount = new_amount
    row.realized_pnl += realized
    row.save(update_fields=["amount", "entry_price", "realized_pnl", "updated_at"])
    return realized


def mark_price(symbol: str, fallback: Decimal) -> Decimal:
    try:
        return price_latest(symbol)
    except Unprocessable:
        return fallback


def positions_held(account: PaperAccount) -> list[PaperPosition]:
    """The account's non-zero positions (one query, shared by the margin checks)."""
    return list(PaperPosition.objects.filter(account=account).exclude(amount=0))


def held_amounts(rows: list[PaperPosition]) -> dict[tuple[str, str], Decimal]:
    return {(row.symbol, row.position_side): row.amount for row in rows}


def opening_quantity(
    account: PaperAccount, *, symbol: str, side: str, position_side: str, reduce_only: bool, quantity: Decimal,
    held: dict[tuple[str, str], Decimal] | None = None,
) -> Decimal:
    """The part of an order that would add exposure (and so needs margin).
    ``held``: the non-zero position amounts, when the caller already read them."""
    if reduce_only:
        return ZERO
    if position_side == "LONG":
        return quantity if side == "BUY" else ZERO
    if position_side == "SHORT":
        return quantity if side == "SELL" else ZERO
    if held is not None:
        amount = held.get((symbol, "BOTH"), ZERO)
    else:
        amount = position_amount(account, symbol, "BOTH")
    opposite = (amount < 0) if side == "BUY" else (amount > 0)
    return max(ZERO, quantity - abs(amount)) if opposite else quantity


@dataclass(frozen=True)
class MarginState:
    wallet: Decimal
    cross_unrealized: Decimal
    unrealized: Decimal
    position_margin: Decimal
    order_margin: Decimal

    @property
    def available(self) -> Decimal:
        return self.wallet + self.cross_unrealized - self.position_margin - self.order_margin


def symbol_settings_by_symbol(account: PaperAccount) -> dict[str, PaperSymbolSetting]:
    return {row.symbol: row for row in account.symbol_settings.all()}


def margin_state(
    account: PaperAccount, *, held: list[PaperPosition] | None = None,
    settings_by_symbol: dict[str, PaperSymbolSetting] | None = None,
) -> MarginState:
    """``held`` (``positions_held``) and ``settings_by_symbol``: when the caller
    already read them in this transaction, so they are not read twice."""
    if settings_by_symbol is None:
        settings_by_symbol = symbol_settings_by_symbol(account)
    if held is None:
        held = positions_held(account)
    amounts = held_amounts(held)
    cross_unrealized = unrealized = position_margin = order_margin = ZERO

    def leverage(symbol: str) -> int:
        row = settings_by_symbol.get(symbol)
        return row.leverage if row else PaperSymbolSetting._meta.get_field("leverage").default

    for pos in held:
        mark = mark_price(pos.symbol, pos.entry_price)
        pnl = (mark - pos.entry_price) * pos.amount
        unrealized += pnl
        setting = settings_by_symbol.get(pos.symbol)
        if setting is None or setting.margin_type == "CROSSED":
            cross_unrealized += pnl
        position_margin += abs(pos.amount) * mark / leverage(pos.symbol)
    open_orders = PaperOrder.objects.filter(account=account, status__in=PAPER_OPEN_STATUSES, reduce_only=False,
                                            close_position=False)
    for order in open_orders:
        opening = opening_quantity(account, symbol=order.symbol, side=order.side, position_side=order.position_side,
                                   reduce_only=False, quantity=order.remaining, held=amounts)
        if opening:
            basis = order.price or order.stop_price or mark_price(order.symbol, ZERO)
            order_margin += opening * basis / leverage(order.symbol)
    return MarginState(
        wallet=balance_row(account, USDT).free,
        cross_unrealized=cross_unrealized,
        unrealized=unrealized,
        position_margin=position_margin,
        order_margin=order_margin,
    )


def has_open_exposure(account: PaperAccount, symbol: str | None = None) -> tuple[bool, bool]:
    """(any open order, any non-zero position), for ``symbol`` or the whole account."""
    orders = PaperOrder.objects.filter(account=account, status__in=PAPER_OPEN_STATUSES)
    positions = PaperPosition.objects.filter(account=account).exclude(amount=0)
    algos = account.algo_orders.filter(status="NEW")
    if symbol is not None:
        orders, positions, algos = orders.filter(symbol=symbol), positions.filter(symbol=symbol), algos.filter(
            symbol=symbol
        )
    return orders.exists() or algos.exists(), positions.exists()
