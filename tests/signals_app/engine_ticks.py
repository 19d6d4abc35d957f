"""Helpers for the engine tests: built-in strategies and scripted price series."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from petrosa.core.market import MarketTick, market_tick_publish
from signals_app.engine.models import BuiltinStrategy
from signals_app.engine.services import builtin_strategy_create
from signals_app.models import Signal, Source


def builtin(
    name: str, kind: str, parameters: Mapping[str, Any], symbols: Iterable[str] = ("BTCUSDT",)
) -> BuiltinStrategy:
    return builtin_strategy_create(name=name, kind=kind, symbols=list(symbols), parameters=parameters, actor="test")


class Bars:
    """A scripted series, one bar per second from now (signals must be fresh
    for the risk gate's max_signal_age)."""

    def __init__(self, t0: datetime | None = None) -> None:
        self.t0 = t0 or timezone.now().replace(microsecond=0)

    def at(self, bar: int) -> datetime:
        return self.t0 + timedelta(seconds=bar - 1)

    def bar_of(self, moment: datetime) -> int:
        return int((moment - self.t0).total_seconds()) + 1

    def publish(
        self, series: Iterable[str | Decimal], *, symbol: str = "BTCUSDT", first_bar: int = 1
    ) -> list[MarketTick]:
        """One tick per price, exactly as a feed sends them (prices, then the fan-out on commit)."""
        return [
            market_tick_publish(prices={symbol: Decimal(price)}, source="test", at=self.at(bar))
            for bar, price in enumerate(series, start=first_bar)
        ]

    def emitted(self, strategy_name: str) -> list[tuple[int, str, Decimal]]:
        """(bar, action, confidence) of every signal the strategy sent, in order."""
        signals = Signal.objects.filter(strategy__name=strategy_name, source=Source.BUILTIN).order_by("id")
        return [(self.bar_of(s.signal_timestamp), s.action, s.confidence) for s in signals]
