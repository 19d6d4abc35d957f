"""What the rules judge: the trade, the limits in force and the book it joins.

Plain frozen values, built from the database by risk_app.selectors, so every
rule is a pure function that a property test can call without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from risk_app.intent import SizingFailure, TradeIntent

HUNDRED = Decimal("100")
ZERO = Decimal("0")


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Limits:
    """The resolved trading config, in the units the rules use (``*_pct`` stay percents 0-100)."""

    enabled: bool
    enable_longs: bool
    enable_shorts: bool
    allowed_symbols: frozenset[str]  # empty: every symbol
    trading_windows: tuple[str, ...]  # empty: 24/7
    min_confidence: Decimal
    max_signal_age_seconds: int
    duplicate_window_seconds: int  # 0: no duplicate check
    position_size_pct: Decimal
    size_multiplier: Decimal  # quantity_multiplier × leverage on futures: what sizing may scale a size by
    max_position_usd: Decimal
    min_position_usd: Decimal
    leverage: int
    max_leverage: int
    max_exposure_pct: Decimal
    max_concurrent_positions: int
    max_positions_per_symbol: int
    max_daily_trades: int
    max_daily_loss_pct: Decimal
    max_orders_per_minute: int
    hedge_mode: bool

    @classmethod
    def from_config(cls, config: dict[str, Any], *, market: str) -> Limits:
        leverage = int(config["leverage"])
        multiplier = _decimal(config.get("quantity_multiplier") or 1) * (leverage if market == "usdm" else 1)
        return cls(
            enabled=bool(config["enabled"]),
            enable_longs=bool(config["enable_longs"]),
            enable_shorts=bool(config["enable_shorts"]),
            allowed_symbols=frozenset(s.upper() for s in config["allowed_symbols"] or ()),
            trading_windows=tuple(config["trading_windows"] or ()),
            min_confidence=_decimal(config["min_confidence_threshold"]),
            max_signal_age_seconds=int(config["max_signal_age_seconds"]),
            duplicate_window_seconds=int(config["duplicate_signal_window_seconds"]),
            position_size_pct=_decimal(config["position_size_pct"]),
            size_multiplier=multiplier,
            max_position_usd=_decimal(config["max_position_size_usd"]),
            min_position_usd=_decimal(config["min_position_size_usd"] or 0),
            leverage=leverage,
            max_leverage=int(config["max_leverage"]),
            max_exposure_pct=_decimal(config["max_portfolio_exposure_pct"]),
            max_concurrent_positions=int(config["max_concurrent_positions"]),
            max_positions_per_symbol=int(config["max_positions_per_symbol"]),
            max_daily_trades=int(config["max_daily_trades"]),
            max_daily_loss_pct=_decimal(config["max_daily_loss_pct"]),
            max_orders_per_minute=int(config["max_orders_per_minute"]),
            hedge_mode=config.get("position_mode") == "hedge",
        )


@dataclass(frozen=True)
class Candidate:
    """One signal's trade, as sizing built it (or why it could not)."""

    strategy: str
    symbol: str
    confidence: Decimal  # after the processing mode
    signal_time: datetime
    intent: TradeIntent | SizingFailure

    @property
    def trade(self) -> TradeIntent | None:
        return self.intent if isinstance(self.intent, TradeIntent) else None

    @property
    def reduce_only(self) -> bool:
        return bool(self.trade and self.trade.reduce_only)


@dataclass(frozen=True)
class Holding:
    """Notional on one symbol and side: an open position at its mark, or an
    approved entry not yet filled at its decision price."""

    symbol: str
    side: str  # LONG or SHORT
    quantity: Decimal
    price: Decimal

    @property
    def notional(self) -> Decimal:
        return abs(self.quantity * self.price)


@dataclass(frozen=True)
class Book:
    """The portfolio and the recent activity an entry is judged against."""

    equity: Decimal
    start_of_day_equity: Decimal
    loss_baseline_equity: Decimal  # start of day, or the equity at today's re-arm
    open: tuple[Holding, ...] = ()
    reserved: tuple[Holding, ...] = ()
    entries_today: int = 0  # approved entries since 00:00 UTC
    orders_last_minute: int = 0  # approved orders (entries and exits) in the last 60 s
    duplicates_in_window: int = 0  # approved entries of the same strategy, symbol and side in the window
    mode: str = "active"  # the operator's kill switch
    breaker_tripped: bool = False
    holdings: tuple[Holding, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holdings", self.open + self.reserved)

    @property
    def exposure(self) -> Decimal:
        return sum((h.notional for h in self.holdings), ZERO)

    @property
    def daily_pnl(self) -> Decimal:
        return self.equity - self.start_of_day_equity

    def position_keys(self, *, hedge: bool) -> set[tuple[str, str]]:
        """Open or reserved positions: per symbol and side in hedge mode, per symbol in one-way mode
        (where a LONG and a SHORT on one symbol net into a single position)."""
        return {position_key(h.symbol, h.side, hedge=hedge) for h in self.holdings if h.quantity > 0}


def position_key(symbol: str, side: str, *, hedge: bool) -> tuple[str, str]:
    return (symbol, side if hedge else "")
