"""Positions from a scripted sequence of fills match a table worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from risk_app.models import Position
from risk_app.services.positions import position_apply_fill

pytestmark = pytest.mark.django_db

# side, quantity, price, fee in USDT  → expected LONG qty, avg entry, SHORT qty, realized P&L (sum over both rows)
SCRIPT = [
    # buy 0.010 @ 50000, fee 0.5: long 0.010 @ 50000, realized -0.5
    ("BUY", "0.010", "50000", "0.5", "0.010", "50000", "0", "-0.5"),
    # buy 0.030 @ 54000, fee 1.62: avg (500 + 1620) / 0.04 = 53000, realized -2.12
    ("BUY", "0.030", "54000", "1.62", "0.040", "53000", "0", "-2.12"),
    # sell 0.015 @ 55000, fee 0.825: realized += (55000-53000)×0.015 - 0.825 = 29.175 → 27.055
    ("SELL", "0.015", "55000", "0.825", "0.025", "53000", "0", "27.055"),
    # sell 0.035 @ 52000, fee 1.82: closes 0.025 long: (52000-53000)×0.025 = -25, opens 0.010 short @ 52000
    #   realized += -25 - 1.82 = -26.82 → 0.235
    ("SELL", "0.035", "52000", "1.82", "0", "0", "0.010", "0.235"),
    # buy 0.004 @ 50000, fee 0.2: short reduced by 0.004: (52000-50000)×0.004 = 8 - 0.2 → 8.035
    ("BUY", "0.004", "50000", "0.2", "0", "0", "0.006", "8.035"),
]


def test_scripted_fills_match_the_hand_table() -> None:
    for side, qty, price, fee, long_qty, long_avg, short_qty, realized in SCRIPT:
        position_apply_fill(symbol="BTCUSDT", side=side, quantity=D(qty), price=D(price), fee_quote=D(fee))
        long = Position.objects.get(symbol="BTCUSDT", side="LONG")
        short = Position.objects.filter(symbol="BTCUSDT", side="SHORT").first()
        assert long.quantity == D(long_qty), (side, qty, price)
        assert long.avg_entry_price == D(long_avg), (side, qty, price)
        assert (short.quantity if short else D(0)) == D(short_qty), (side, qty, price)
        total = long.realized_pnl + (short.realized_pnl if short else D(0))
        assert total == D(realized), (side, qty, price, total)
    short = Position.objects.get(symbol="BTCUSDT", side="SHORT")
    assert short.avg_entry_price == D("52000")
    # marked at the last fill price 50000: short gains (52000-50000)×0.006 = 12
    assert short.unrealized_pnl == D("12")
    total_fees = sum(D(row[3]) for row in SCRIPT)
    assert Position.objects.get(symbol="BTCUSDT", side="LONG").fees_paid + short.fees_paid == total_fees
