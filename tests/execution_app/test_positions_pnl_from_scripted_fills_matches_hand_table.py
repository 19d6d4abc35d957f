"""A scripted sequence of fills, long and short, with partial closes and fees in
the quote asset (USDT) and in the base asset (BTC), recorded the way exchange
reports are recorded, matches a table worked out by hand, to the last decimal.

Conventions checked here: a commission paid in the base asset is taken out of
what was bought (the position holds less) and its value at the fill price is
a fee; realized P&L is net of every fee; per-strategy attribution follows
Fill → Order → RiskDecision → Signal → Strategy.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.utils import timezone

from execution_app.models import Fill
from execution_app.selectors import positions_list, realized_pnl_since, strategy_attribution
from execution_app.services.orders import order_record_result
from petrosa.core.market import price_set
from risk_app.models import Position
from risk_app.services.portfolio import utc_midnight
from tests.execution_app.order_helpers import filled_report, submitted_order
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]

# strategy, side, qty, price, commission, asset | LONG qty, LONG avg, SHORT qty, SHORT avg, realized (both rows)
SCRIPT = [
    # A buys 0.01001 @ 50000 paying 0.00001 BTC: holds 0.01000; fee 0.00001 × 50000 = 0.5 → realized -0.5
    ("A", "BUY", "0.01001", "50000", "0.00001", "BTC", "0.01", "50000", "0", "0", "-0.5"),
    # B buys 0.03 @ 54000, fee 1.62 USDT: avg (0.01×50000 + 0.03×54000) / 0.04 = 2120 / 0.04 = 53000 → -2.12
    ("B", "BUY", "0.03", "54000", "1.62", "USDT", "0.04", "53000", "0", "0", "-2.12"),
    # A sells 0.015 @ 55000, fee 0.825: (55000 − 53000) × 0.015 − 0.825 = 29.175 → 27.055 (partial close)
    ("A", "SELL", "0.015", "55000", "0.825", "USDT", "0.025", "53000", "0", "0", "27.055"),
    # B sells 0.035 @ 52000, fee 1.82: closes 0.025 long, (52000 − 53000) × 0.025 = −25; the other 0.01 opens a
    # short @ 52000; −25 − 1.82 = −26.82 → 0.235
    ("B", "SELL", "0.035", "52000", "1.82", "USDT", "0", "0", "0.01", "52000", "0.235"),
    # A buys 0.004 @ 50000 paying 0.00001 BTC: 0.00399 reaches the short; (52000 − 50000) × 0.00399 = 7.98,
    # fee 0.00001 × 50000 = 0.5 → 7.48 → 7.715; short 0.01 − 0.00399 = 0.00601 (partial cover)
    ("A", "BUY", "0.004", "50000", "0.00001", "BTC", "0", "0", "0.00601", "52000", "7.715"),
    # B buys 0.00601 @ 51000, fee 0.001 × 0.00601 × 51000 = 0.30651: (52000 − 51000) × 0.00601 = 6.01
    # → 6.01 − 0.30651 = 5.70349 → 13.41849, flat
    ("B", "BUY", "0.00601", "51000", "0.30651", "USDT", "0", "0", "0", "0", "13.41849"),
]
# Per strategy: realized (net of fees) and fees, summed by hand from the rows above.
BY_STRATEGY = {
    "A": (D("-0.5") + D("29.175") + D("7.48"), D("0.5") + D("0.825") + D("0.5")),  # 36.155, 1.825
    "B": (D("-1.62") + D("-26.82") + D("5.70349"), D("1.62") + D("1.82") + D("0.30651")),  # -22.73651, 3.74651
}


def _position(side: str) -> Position:
    return Position.objects.filter(symbol="BTCUSDT", side=side).first() or Position(symbol="BTCUSDT", side=side)


@override_settings(EXCHANGE_MARKET="spot")
def test_scripted_fills_match_the_hand_table(strategy: StrategyWithKey, other_strategy: StrategyWithKey) -> None:
    strategies = {"A": strategy.strategy, "B": other_strategy.strategy}
    for step, (who, side, qty, price, fee, asset, long_qty, long_avg, short_qty, short_avg, realized) in enumerate(
        SCRIPT, start=1
    ):
        order = submitted_order(strategies[who], symbol="BTCUSDT", side=side, quantity=qty)
        report = filled_report(order, [(price, qty, fee, asset)])
        order_record_result(order_id=order.pk, result=report, actor="test")
        order_record_result(order_id=order.pk, result=report, actor="test")  # a redelivered report changes nothing
        long, short = _position("LONG"), _position("SHORT")
        assert (long.quantity, long.avg_entry_price) == (D(long_qty), D(long_avg)), step
        assert (short.quantity, short.avg_entry_price) == (D(short_qty), D(short_avg)), step
        assert long.realized_pnl + short.realized_pnl == D(realized), step
        if step == 5:
            # Unrealized from the mark price, not the last fill: short 0.00601 @ 52000 marked at 51500 = 3.005
            price_set(symbol="BTCUSDT", price=D("51500"), source="test")
            (view,) = positions_list(symbol="BTCUSDT")
            assert (view.side, view.mark_price, view.unrealized_pnl) == ("SHORT", D("51500"), D("3.005"))

    assert Fill.objects.count() == len(SCRIPT)
    base_fee_fills = Fill.objects.filter(commission_asset="BTC").order_by("id")
    assert [(f.quantity, f.position_quantity, f.commission_quote) for f in base_fee_fills] == [
        (D("0.01001"), D("0.01"), D("0.5")),
        (D("0.004"), D("0.00399"), D("0.5")),
    ]
    fees = sum(D(row[4]) * (D(row[3]) if row[5] == "BTC" else 1) for row in SCRIPT)
    assert fees == D("5.57151")
    assert _position("LONG").fees_paid + _position("SHORT").fees_paid == fees
    shares = {s.strategy: s for s in strategy_attribution(symbol="BTCUSDT")}
    for who, (realized, paid) in BY_STRATEGY.items():
        share = shares[strategies[who].name]
        assert (share.realized_pnl, share.fees, share.fills) == (realized, paid, 3), who
    assert shares[strategy.name].net_quantity == D("0.01") - D("0.015") + D("0.00399")  # what A's fills moved
    assert realized_pnl_since(utc_midnight(timezone.now())) == D("13.41849")
