"""Rows a measurement needs in bulk before it starts: active signals and open
positions, written with bulk_create (through the test factories where there
is one) because sending 10,000 signals through the pipeline first would take
longer than the measurement itself. Like bench/readings.py, this is the one
place that knows the tables."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from risk_app.models import Position
from signals_app.models import Signal, SignalStatus, Strategy
from tests.factories import SignalFactory


def active_signals_top_up(*, total: int, strategy_name: str, symbol: str) -> int:
    """Bring the strategy's active (ordered, fresh) buy signals on `symbol` up to `total`;
    every one of them is made fresh again, so all count as active."""
    strategy = Strategy.objects.get(name=strategy_name)
    mine = Signal.objects.filter(strategy=strategy, symbol=symbol)
    missing = total - mine.count()
    if missing > 0:
        batch = SignalFactory.build_batch(missing, strategy=strategy, symbol=symbol, action="buy",
                                          status=SignalStatus.ORDERED, status_reason="bench_seed")  # fmt: skip
        Signal.objects.bulk_create(batch, batch_size=2000)
    now = timezone.now()
    mine.update(signal_timestamp=now, received_at=now)
    return mine.count()


def open_positions_top_up(*, total: int) -> int:
    """Bring the open positions up to `total` with small LONG positions on made-up symbols."""
    open_now = Position.objects.filter(quantity__gt=0).count()
    missing = total - open_now
    if missing > 0:
        start = Position.objects.filter(symbol__startswith="SEED").count()
        now = timezone.now()
        Position.objects.bulk_create(
            [Position(symbol=f"SEED{start + i:05d}USDT", side="LONG", quantity=Decimal("0.001"),
                      avg_entry_price=Decimal("1"), opened_at=now) for i in range(missing)],
            batch_size=2000,
        )  # fmt: skip
    return Position.objects.filter(quantity__gt=0).count()
