"""Applying fills to positions: average entry, realized P&L net of fees.

One-way accounting: a BUY first reduces an open SHORT, the rest opens or adds
to the LONG; a SELL mirrors it. Fees are charged to realized P&L when paid, so
realized P&L is always net of every fee.

Before a fill is booked the UTC day is opened (so today's P&L starts from the
book as it was before the day's first fill); after it, the daily-loss breaker
is checked, so a losing fill stops new entries before the next signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from configs_app.services import config_resolve
from petrosa.core.audit import audit_record
from petrosa.core.broadcast import broadcast_on_commit
from petrosa.core.money import decimal_str
from petrosa.core.locks import lock_for_transaction
from risk_app.models import Position, PositionSide
from risk_app.services.kill_switch import risk_breaker_trip_if_breached
from risk_app.services.portfolio import portfolio_day_open

ZERO = Decimal("0")


@dataclass(frozen=True)
class FillApplied:
    position: Position
    realized: Decimal  # P&L realized by this fill, net of its fee


def _locked_position(symbol: str, side: str, locked: dict[str, Position]) -> Position:
    """Lock and read the row in one query, creating it flat the first time the side is traded.
    A row this fill already locked is not read again (nobody else can change it before we commit)."""
    if side in locked:
        return locked[side]
    position = Position.objects.select_for_update().filter(symbol=symbol, side=side).first()
    if position is None:
        # ON CONFLICT DO NOTHING: no savepoint, and a concurrent creator's row is simply locked next.
        Position.objects.bulk_create([Position(symbol=symbol, side=side)], ignore_conflicts=True)
        position = Position.objects.select_for_update().get(symbol=symbol, side=side)
    locked[side] = position
    return position


def position_apply_fill(
    *,
    symbol: str,
    side: str,
    quantity: Decimal,
    price: Decimal,
    fee_quote: Decimal,
    actor: str = "system",
    correlation_id: str = "",
    position_side: str = "",
) -> FillApplied:
    """Book one fill. fee_quote is the commission converted to the quote asset.

    One-way (position_side ""): a fill first reduces the opposite side, and any
    rest opens or adds to its own side. Hedge mode (position_side LONG/SHORT):
    only that position moves; a BUY on LONG or a SELL on SHORT adds, the other
    way reduces it, and a reduction never opens the other side.
    """
    if quantity <= 0 or price <= 0:
        raise ValueError("a fill needs a positive quantity and price")
    if position_side not in ("", PositionSide.LONG, PositionSide.SHORT):
        raise ValueError(f"position_side must be LONG, SHORT or empty, not {position_side!r}")
    with transaction.atomic():
        portfolio_day_open()
        lock_for_transaction(f"position:{symbol}")
        opening = PositionSide.LONG if side == "BUY" else PositionSide.SHORT
        if position_side:
            same_side = position_side
            opposite_side = position_side if opening != position_side else None
        else:
            same_side = opening
            opposite_side = PositionSide.SHORT if side == "BUY" else PositionSide.LONG
        remaining, realized = quantity, ZERO
        changed: dict[int, Position] = {}
        locked: dict[str, Position] = {}
        opposite = _locked_position(symbol, opposite_side, locked) if opposite_side else None
        if opposite is not None and opposite.quantity > 0:
            closed = min(opposite.quantity, remaining)
            direction = 1 if opposite.side == PositionSide.LONG else -1
            realized += (price - opposite.avg_entry_price) * closed * direction
            opposite.quantity -= closed
            if opposite.quantity == 0:
                opposite.avg_entry_price = ZERO
                opposite.opened_at = None
            remaining -= closed
            changed[opposite.pk] = opposite
        if opposite is not None and position_side:
            remaining = ZERO  # hedge mode: a reduction never opens the other side
        target = opposite if opposite is not None else _locked_position(symbol, same_side, locked)
        if remaining > 0:
            target = _locked_position(symbol, same_side, locked)
            total = target.quantity + remaining
            target.avg_entry_price = (target.avg_entry_price * target.quantity + price * remaining) / total
            target.quantity = total
            target.opened_at = target.opened_at or timezone.now()
            changed[target.pk] = target
        realized -= fee_quote
        target.realized_pnl += realized
        target.fees_paid += fee_quote
        changed[target.pk] = target  # its fee is booked even when its quantity did not move
        for position in changed.values():
            position.mark_price = price
            position.save()
        audit_record(
            kind="position.updated",
            entity_type="position",
            entity_id=f"{symbol}:{target.side}",
            actor=actor,
            correlation_id=correlation_id,
            data={
                "fill": {"side": side, "quantity": quantity, "price": price, "fee_quote": fee_quote},
                "realized": realized,
                "positions": [position_data(p) for p in changed.values()],
            },
        )
        for position in changed.values():
            broadcast_on_commit("position", position_data(position))
        risk_breaker_trip_if_breached(max_daily_loss_pct=config_resolve()["max_daily_loss_pct"])
    return FillApplied(position=target, realized=realized)


def position_data(position: Position) -> dict[str, object]:
    return {
        "symbol": position.symbol,
        "side": position.side,
        "quantity": decimal_str(position.quantity),
        "avg_entry_price": decimal_str(position.avg_entry_price),
        "mark_price": decimal_str(position.mark_price),
        "realized_pnl": decimal_str(position.realized_pnl),
        "unrealized_pnl": decimal_str(position.unrealized_pnl),
        "fees_paid": decimal_str(position.fees_paid),
    }

