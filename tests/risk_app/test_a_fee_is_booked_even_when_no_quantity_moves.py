"""A hedge-mode reduction of a side that is already flat moves no quantity, but
its fee was paid: the position's realized P&L and fees carry it, as the audit
row says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from petrosa.core.models import AuditEvent
from risk_app.models import Position
from risk_app.services.positions import position_apply_fill

pytestmark = pytest.mark.django_db


def test_a_reduction_of_a_flat_hedge_side_still_books_its_fee() -> None:
    applied = position_apply_fill(symbol="BTCUSDT", side="SELL", quantity=Decimal("0.01"), price=Decimal("50000"),
                                  fee_quote=Decimal("0.2"), position_side="LONG")  # fmt: skip

    long = Position.objects.get(symbol="BTCUSDT", side="LONG")
    assert long.quantity == 0
    assert (long.realized_pnl, long.fees_paid) == (Decimal("-0.2"), Decimal("0.2"))
    assert applied.realized == Decimal("-0.2")
    audit = AuditEvent.objects.filter(kind="position.updated").latest("id").data
    assert audit["realized"] == "-0.2"
    assert [p["side"] for p in audit["positions"]] == ["LONG"]
