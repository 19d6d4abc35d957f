"""The synthetic order book the paper exchange matches against.

Deterministic and stateless: for a last price, level k (k = 0, 1, ...) of
the asks sits at ``last x (1 + k x spacing)`` rounded up to the tick, and of
the bids at ``last x (1 - k x spacing)`` rounded down; each level holds
``level_notional / last`` of the base asset, rounded down to the step (at
least one step). Level 0 is the last price itself, so a small market order
fills at the last price, and every further level costs more: slippage grows
with size. The book is rebuilt from the last price on every tick, so a
resting order can take a fresh level's worth at each tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from django.conf import settings

from execution_app.exchange.filters import SymbolRules, snap_price, snap_quantity


@dataclass(frozen=True)
class BookConfig:
    levels: int
    spacing: Decimal  # fraction of the last price between two levels
    level_notional: Decimal  # quote held by each level

    @classmethod
    def from_settings(cls) -> BookConfig:
        return cls(
            levels=settings.PAPER_BOOK_LEVELS,
            spacing=Decimal(settings.PAPER_BOOK_LEVEL_SPACING_BPS) / Decimal(10000),
            level_notional=Decimal(settings.PAPER_BOOK_LEVEL_NOTIONAL),
        )


@dataclass(frozen=True)
class Level:
    price: Decimal
    quantity: Decimal


@dataclass(frozen=True)
class Take:
    """One slice of a match: ``quantity`` at ``price``."""

    price: Decimal
    quantity: Decimal


def book_levels(rules: SymbolRules, *, last: Decimal, taker_side: str, config: BookConfig) -> list[Level]:
    """The side of the book a ``taker_side`` order takes from, best level first
    (asks for a BUY, bids for a SELL). Levels that round to the same tick merge."""
    step = max(rules.step_size, rules.market_step_size) if rules.step_size else rules.market_step_size
    depth = snap_quantity(config.level_notional / last, step) if step else config.level_notional / last
    depth = max(depth, step) if step else depth
    levels: list[Level] = []
    for k in range(config.levels):
        if taker_side == "BUY":
            raw = last * (1 + k * config.spacing)
            price = snap_price(raw, rules.tick_size, rounding=ROUND_UP)
        else:
            raw = last * (1 - k * config.spacing)
            price = snap_price(raw, rules.tick_size, rounding=ROUND_DOWN)
        if price <= 0:
            break
        if levels and levels[-1].price == price:
            levels[-1] = Level(price, levels[-1].quantity + depth)
        else:
            levels.append(Level(price, depth))
    return levels


def _within(price: Decimal, limit: Decimal | None, taker_side: str) -> bool:
    if limit is None:
        return True
    return price <= limit if taker_side == "BUY" else price >= limit


def book_take(
    levels: list[Level], *, quantity: Decimal, limit: Decimal | None, taker_side: str
) -> list[Take]:
    """Walk the levels best first while they are within ``limit`` (None: any
    price) until ``quantity`` is filled or the book runs out."""
    takes: list[Take] = []
    left = quantity
    for level in levels:
        if left <= 0 or not _within(level.price, limit, taker_side):
            break
        size = min(left, level.quantity)
        takes.append(Take(level.price, size))
        left -= size
    return takes


def book_take_quote(levels: list[Level], *, quote: Decimal, step: Decimal) -> list[Take]:
    """A spot MARKET BUY/SELL by ``quoteOrderQty``: spend (or raise) at most
    ``quote``, each slice rounded down to the step."""
    takes: list[Take] = []
    left = quote
    for level in levels:
        if left <= 0:
            break
        affordable = left / level.price
        size = min(level.quantity, snap_quantity(affordable, step) if step else affordable)
        if size <= 0:
            break
        takes.append(Take(level.price, size))
        left -= size * level.price
    return takes


def book_depth_within(levels: list[Level], *, limit: Decimal, taker_side: str) -> Decimal:
    """How much the book holds at ``limit`` or better."""
    return sum((level.quantity for level in levels if _within(level.price, limit, taker_side)), Decimal(0))
